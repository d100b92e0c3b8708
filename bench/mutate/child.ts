/**
 * One mutant's check, in its own process: runs on a copy of dist/ in which the runner has put the
 * mutated kernel-model file, so the module graph loads the mutant and the source tree is untouched.
 * argv[2] is a JSON ChildJob; prints one JSON ChildResult line.
 *
 * Two phases, each stopping at the first kill. The correct variants run in order: one that fails
 * kills the mutant. If they all hold, the buggy variants run, each with its own run budget: one
 * that is no longer caught as the catalogue expects (its expected invariant, within the budget)
 * kills the mutant. That is the test suite's contract ("buggy variants fail with the expected
 * invariant"), and it is what judges code that only a buggy variant's toggle runs.
 */
import { check } from '../../src/check/check.js';
import { asExpected } from '../../src/protocol.js';
import { findProtocol } from '../../src/protocols.js';

export interface BuggyJob { variant: string; runs: number }
export interface ChildJob {
  protocol: string; variants: string[]; buggy: BuggyJob[]; runs: number; seed: number; maxSteps: number;
  /** the baseline: a buggy variant not caught is recorded (null), not a kill */
  probe?: boolean;
}
export type ChildResult =
  | { killed: false; ms: number; /** user + system CPU time */ cpuMs: number; /** per buggy variant: the run that caught it as expected, or null (not caught so) */ caught: Record<string, number | null> }
  | { killed: true; variant: string; invariant: string; /** a buggy variant was no longer caught as expected */ lost?: true; ms: number };

const job = JSON.parse(process.argv[2]!) as ChildJob;
const t0 = performance.now();
const run = (variant: string, runs: number) =>
  // no shrinking or replay minimizer: a mutant needs a verdict, not a short counterexample
  check({ protocol: job.protocol, variant, runs, seed: job.seed, maxSteps: job.maxSteps, minimize: false, shrink: false });

function verdict(): ChildResult {
  for (const variant of job.variants) {
    const r = run(variant, job.runs);
    if (!r.ok) return { killed: true, variant, invariant: r.failure.invariant, ms: performance.now() - t0 };
  }
  const caught: Record<string, number | null> = {};
  const protocol = findProtocol(job.protocol);
  for (const b of job.buggy) {
    const r = run(b.variant, b.runs);
    const failed = r.ok ? null : r.failure.invariant;
    const ok = asExpected(protocol.variants.find((v) => v.name === b.variant)!, failed);
    if (ok) caught[b.variant] = r.stats.firstFailureRun ?? null;
    else if (job.probe) caught[b.variant] = null;
    else {
      return { killed: true, variant: b.variant, invariant: failed ?? `not caught in ${b.runs} runs`, lost: true, ms: performance.now() - t0 };
    }
  }
  const cpu = process.cpuUsage();
  return { killed: false, caught, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

process.stdout.write(`${JSON.stringify(verdict())}\n`);
