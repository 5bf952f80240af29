// Reads returned expressions the way kernel and Go code use them: is this the error path?
export type ReturnKind = 'error' | 'success' | 'unknown';

const C_ERROR = /^(-\s*E[A-Z0-9_]+|-\s*\d+|NULL|\(void\s*\*\)\s*0|false|ERR_PTR\s*\(.*\)|ERR_CAST\s*\(.*\)|STATUS_(?!SUCCESS)[A-Z_]+|E_[A-Z_]+|EBPF_(?!SUCCESS)[A-Z_]+)$/;
const C_SUCCESS = /^(true|1|STATUS_SUCCESS|EBPF_SUCCESS|S_OK)$/;

export function classifyReturn(ret: string | undefined, language: 'c' | 'go'): ReturnKind {
  if (ret === undefined) return 'unknown';
  const r = ret.trim().replace(/^\((.*)\)$/, '$1').trim();
  if (r === '') return 'unknown';
  if (language === 'go') {
    const parts = r.split(',').map((p) => p.trim());
    const last = parts[parts.length - 1];
    if (parts.length === 1) {
      if (r === 'nil' || r === 'false') return 'error';
      if (r === 'true') return 'success';
      if (/^(err|errors\.New\(|fmt\.Errorf\(|Err[A-Z])/.test(r)) return 'error';
      return 'unknown';
    }
    if (last === 'nil') return 'success';
    if (/^(err\b|errors\.New\(|fmt\.Errorf\(|Err[A-Z]|[a-z]+Err\b)/.test(last) || last === 'false') return 'error';
    if (last === 'true') return 'success';
    return 'unknown';
  }
  if (C_ERROR.test(r)) return 'error';
  if (C_SUCCESS.test(r)) return 'success';
  // A returned pointer/handle variable (not a status code) is the success value of a lookup helper.
  if (/^[a-z_][a-z0-9_]*$/i.test(r) && !/^(ret|err|error|rc|res|result|status|rv|retval|r|e|result_code)$/i.test(r)) return 'success';
  if (/^&/.test(r)) return 'success';
  return 'unknown';
}
