// A check is a value (go/analysis style): metadata plus a pure function from program facts to findings.
import type { CheckMeta, Finding } from '../core/finding';
import type { FunctionFacts } from '../core/facts';
import type { FileIR, FunctionIR, Op } from '../ir/types';

export interface ProgramFacts {
  files: ReadonlyMap<string, FileIR>;
  functions: readonly FunctionFacts[];
  /** Language of each file, for checks whose rules differ (C rwlock reader recursion vs Go RWMutex). */
  languageOf(file: string): 'c' | 'go';
  options: { reportSameClassNesting: boolean };
  /** Whether a check runs in this analysis (not configured `off`): lets two checks split a finding. */
  isEnabled(checkId: string): boolean;
  /** The functions a call may run (resolved as the interprocedural analysis does); [] if unknown. */
  targetsOf(call: Extract<Op, { kind: 'call' }>, caller: FunctionIR): FunctionIR[];
  /** The function a spawn/registration names (`go f()`, `pthread_create(.., worker, ..)`, `request_irq(.., handler, ..)`). */
  functionNamed(name: string, from: FunctionIR): FunctionIR | undefined;
  factsOf(fn: FunctionIR): FunctionFacts | undefined;
  /** Context configuration: functions that run in interrupt context (from `.locklint.json` `contexts`). */
  contexts: Readonly<Record<'hardirq' | 'softirq' | 'nmi', readonly string[]>>;
}

export interface Check {
  meta: CheckMeta;
  run(program: ProgramFacts): Finding[];
}
