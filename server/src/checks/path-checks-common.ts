import type { FunctionFacts } from '../core/facts';

/** Path-based checks stay silent where the function's facts are partial. */
export function pathFactsReliable(facts: FunctionFacts): boolean {
  return !facts.overBudget && !facts.fn.incomplete;
}
