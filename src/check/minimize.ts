/**
 * Replay-based minimizer, after fast-check's shrinking: greedily zeroes or drops single choices
 * (0 = keep running the CPU that ran last) and keeps a candidate when it reproduces the same
 * violated invariant with fewer preemptions, or as many in fewer steps.
 */
import type { Protocol, Variant } from '../protocol.js';
import { RandomStrategy } from '../explore/random.js';
import { execute, type ExecOptions } from './execute.js';
import type { Execution } from './result.js';

/** executions the minimizer may spend on one counterexample */
const BUDGET = 400;

const better = (a: Execution, b: Execution) =>
  a.preemptions < b.preemptions || (a.preemptions === b.preemptions && a.steps < b.steps);

export function minimize(protocol: Protocol, variant: Variant, workload: unknown, found: Execution, opts: ExecOptions): number[] {
  const target = found.failure!.invariant;
  let best = found;
  let spent = 0;
  const attempt = (choices: number[]): boolean => {
    spent++;
    const r = execute(protocol, variant, workload, new RandomStrategy(choices), opts);
    if (r.failure?.invariant !== target || !better(r, best)) return false;
    best = r;
    return true;
  };
  let improved = true;
  while (improved && spent < BUDGET) {
    improved = false;
    for (let i = best.choices.length - 1; i >= 0 && spent < BUDGET; i--) {
      const c = best.choices;
      if (i >= c.length) continue;
      if (attempt([...c.slice(0, i), ...c.slice(i + 1)])) { improved = true; continue; }
      if (c[i] !== 0 && attempt(c.map((v, j) => (j === i ? 0 : v)))) improved = true;
    }
  }
  return best.choices;
}
