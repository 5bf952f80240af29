// A check is a value (go/analysis style): metadata plus a pure function from program facts to findings.
import type { CheckMeta, Finding } from '../core/finding';
import type { FunctionFacts } from '../core/facts';
import type { FileIR } from '../ir/types';

export interface ProgramFacts {
  files: ReadonlyMap<string, FileIR>;
  functions: readonly FunctionFacts[];
  /** Language of each file, for checks whose rules differ (C rwlock reader recursion vs Go RWMutex). */
  languageOf(file: string): 'c' | 'go';
  options: { reportSameClassNesting: boolean };
}

export interface Check {
  meta: CheckMeta;
  run(program: ProgramFacts): Finding[];
}
