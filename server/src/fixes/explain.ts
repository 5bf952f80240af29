// A finding told as a readable Markdown report: the lock classes, each thread's steps side by side
// with links, the call chains, and the fixes on offer. Pure: `link` turns a site into a URL.
import type { Finding } from '../core/finding';
import type { Span } from '../ir/types';
import type { Fix } from './index';

export type SiteLink = (file: string, span: Span) => string;

function md(s: string): string {
  return s.replace(/\|/g, '\\|');
}

export function explainMarkdown(finding: Finding, fixes: readonly Fix[], link: SiteLink, show: (file: string) => string = (f) => f): string {
  const at = (file: string, span: Span) => `[${md(show(file))}:${span.line + 1}](${link(file, span)})`;
  const out: string[] = [];
  out.push(`# locklint: ${finding.check}`);
  out.push('');
  out.push(`**${finding.severity}** at ${at(finding.file, finding.span)}`);
  out.push('');
  out.push(finding.message);
  out.push('');
  const hint = finding.hint;
  if (hint?.kind === 'lock-order') {
    const classes = [...new Set(hint.threads.flatMap((t) => [t.outer.cls ?? t.outer.text, t.inner.cls ?? t.inner.text]))];
    out.push('## Lock classes');
    out.push('');
    for (const c of classes) out.push(`- \`${c}\``);
    out.push('');
    out.push(`Order: ${hint.threads.map((t) => `\`${t.outer.cls ?? t.outer.text}\` → \`${t.inner.cls ?? t.inner.text}\``).join(', ')}`);
    out.push('');
    out.push('## Threads side by side');
    out.push('');
    out.push(`| step | ${hint.threads.map((t, i) => `Thread ${i + 1}: \`${md(t.fn)}()\`${i === hint.here ? ' (here)' : ''}`).join(' | ')} |`);
    out.push(`|---|${hint.threads.map(() => '---').join('|')}|`);
    out.push(`| 1 | ${hint.threads.map((t) => `lock \`${md(t.outer.text)}\` ${at(t.file, t.outer.span)}`).join(' | ')} |`);
    out.push(`| 2 | ${hint.threads.map((t) => `lock \`${md(t.inner.text)}\` ${at(t.file, t.inner.span)} ← waits`).join(' | ')} |`);
    out.push('');
    out.push('Each thread holds the lock the next one waits for: run together, they deadlock.');
    out.push('');
    const chains = hint.threads.filter((t) => t.inner.calls.length > 0);
    if (chains.length > 0) {
      out.push('## Call chains');
      out.push('');
      for (const t of chains) out.push(`- \`${t.fn}()\` → ${t.inner.calls.map((c) => `\`${c.callee}()\` ${at(c.file, c.span)}`).join(' → ')}`);
      out.push('');
    }
  } else {
    out.push('## Sites');
    out.push('');
    out.push(`- ${at(finding.file, finding.span)} — reported here`);
    for (const r of finding.related.filter((r) => !/^call to /.test(r.message))) out.push(`- ${at(r.file, r.span)} — ${r.message}`);
    out.push('');
    const calls = finding.related.filter((r) => /^call to /.test(r.message));
    if (calls.length > 0) {
      out.push('## Call chain');
      out.push('');
      out.push(calls.map((r) => `${r.message.replace(/^call to /, '`').replace(/$/, '`')} ${at(r.file, r.span)}`).join(' → '));
      out.push('');
    }
  }
  if (finding.explanation) {
    out.push('## Lockdep-style story');
    out.push('');
    out.push('```text');
    out.push(finding.explanation);
    out.push('```');
    out.push('');
  }
  out.push('## Fix options');
  out.push('');
  for (const f of fixes) out.push(`- ${f.isPreferred ? '**' : ''}${f.title}${f.isPreferred ? '** (preferred)' : ''} — a quick fix (Ctrl+.)`);
  if (fixes.length === 0) out.push('- No automatic fix is safe here; see the story above and the documentation.');
  out.push(`- Suppress: \`// locklint-ignore ${finding.check}: <reason>\` above the line`);
  out.push(`- Documentation: docs/checks/${finding.check}.md`);
  out.push('');
  out.push(`<sub>fingerprint ${finding.fingerprint}</sub>`);
  return out.join('\n') + '\n';
}
