/**
 * One mutant's check, in its own process: runs on a copy of dist/ in which the runner has put the
 * mutated kernel-model file, so the module graph loads the mutant and the source tree is untouched.
 * argv[2] is a JSON ChildJob; prints one JSON ChildResult line. Correct variants run in order,
 * stopping at the first violation (the mutant is killed).
 */
import { check } from '../../src/check/check.js';

export interface ChildJob { protocol: string; variants: string[]; runs: number; seed: number; maxSteps: number }
export type ChildResult = { killed: false; ms: number } | { killed: true; variant: string; invariant: string; ms: number };

const job = JSON.parse(process.argv[2]!) as ChildJob;
const t0 = performance.now();
let result: ChildResult | undefined;
for (const variant of job.variants) {
  // no replay minimizer: a mutant needs a verdict, not a short counterexample
  const r = check({ protocol: job.protocol, variant, runs: job.runs, seed: job.seed, maxSteps: job.maxSteps, minimize: false });
  if (!r.ok) {
    result = { killed: true, variant, invariant: r.failure.invariant, ms: performance.now() - t0 };
    break;
  }
}
process.stdout.write(`${JSON.stringify(result ?? { killed: false, ms: performance.now() - t0 })}\n`);
