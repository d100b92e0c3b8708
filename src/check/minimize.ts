/**
 * Replay-based minimizer, after fast-check's shrinking. It drops whole programs (elements of
 * the workload's top-level arrays, which the Protocol contract makes independent programs),
 * tries the protocol's own smaller workloads, and
 * zeroes or drops single choices (0 = keep running the CPU that ran last), keeping a candidate
 * when it reproduces the same violated invariant with fewer preemptions, or as many in fewer
 * steps.
 */
import type { Protocol, Variant } from '../protocol.js';
import { RandomStrategy } from '../explore/random.js';
import { execute, type ExecOptions } from './execute.js';
import type { Execution } from './result.js';

/** executions the minimizer may spend on one counterexample */
const BUDGET = 600;

const better = (a: Execution, b: Execution) =>
  a.preemptions < b.preemptions || (a.preemptions === b.preemptions && a.steps < b.steps);

/** The workload without one program, for every program it has. */
function withoutOneProgram(workload: unknown): unknown[] {
  if (typeof workload !== 'object' || workload === null || Array.isArray(workload)) return [];
  const out: unknown[] = [];
  for (const [key, value] of Object.entries(workload)) {
    if (!Array.isArray(value)) continue;
    for (let i = 0; i < value.length; i++) out.push({ ...workload, [key]: value.filter((_, j) => j !== i) });
  }
  return out;
}

export function minimize(protocol: Protocol, variant: Variant, workload: unknown, found: Execution, opts: ExecOptions): { workload: unknown; choices: number[] } {
  const target = found.failure!.invariant;
  let best = { workload, run: found };
  let spent = 0;
  const attempt = (wl: unknown, choices: number[], accept: (r: Execution) => boolean): boolean => {
    spent++;
    const r = execute(protocol, variant, wl, new RandomStrategy(choices), opts);
    if (r.failure?.invariant !== target || !accept(r)) return false;
    best = { workload: wl, run: r };
    return true;
  };
  let improved = true;
  while (improved && spent < BUDGET) {
    improved = false;
    for (const wl of [...withoutOneProgram(best.workload), ...(protocol.shrinkWorkload?.(best.workload) ?? [])]) {
      if (spent >= BUDGET) break;
      if (attempt(wl, best.run.choices, (r) => r.steps <= best.run.steps)) { improved = true; break; }
    }
    for (let i = best.run.choices.length - 1; i >= 0 && spent < BUDGET; i--) {
      const c = best.run.choices;
      if (i >= c.length) continue;
      const keep = (r: Execution) => better(r, best.run);
      if (attempt(best.workload, [...c.slice(0, i), ...c.slice(i + 1)], keep)) { improved = true; continue; }
      if (c[i] !== 0 && attempt(best.workload, c.map((v, j) => (j === i ? 0 : v)), keep)) improved = true;
    }
  }
  return { workload: best.workload, choices: best.run.choices };
}
