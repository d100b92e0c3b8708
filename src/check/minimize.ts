/**
 * Replay-based minimizer, after fast-check's shrinking. It drops whole programs (elements of
 * the workload's top-level arrays, which the Protocol contract makes independent programs) and
 * tries the protocol's own smaller workloads, keeping any that still fails the same way (with
 * the same choices, with none, or with one of a few seeded random schedules: a program's removal
 * shifts every later choice, so the old schedule rarely fits the smaller workload); then it takes preemptions out of the schedule: first in
 * chunks, halving the chunk size as in delta debugging (Zeller, "Simplifying and Isolating
 * Failure-Inducing Input", 2002), so a schedule with dozens of incidental preemptions loses them
 * in a few dozen replays; then one choice at a time, zeroed (0 = keep running) or dropped. A
 * candidate is kept when it reproduces the same violated invariant with fewer preemptions, or as
 * many in fewer steps.
 */
import type { Protocol, Variant } from '../protocol.js';
import { DENSITY, DrawnRandomStrategy, RandomStrategy } from '../explore/random.js';
import { execute, type ExecOptions } from '../engine/engine.js';
import type { Strategy } from '../engine/strategy.js';
import type { Execution } from '../engine/result.js';

/** executions the minimizer may spend on one counterexample */
const BUDGET = 3000;
/** seeded random schedules tried on a smaller workload when the old schedule does not fail it */
const RESEARCH = 24;

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
  const attempt = (wl: unknown, choices: number[] | Strategy, accept: (r: Execution) => boolean): boolean => {
    if (spent >= BUDGET) return false;
    spent++;
    const r = execute(protocol, variant, wl, Array.isArray(choices) ? new RandomStrategy(choices) : choices, opts);
    if (r.failure?.invariant !== target || !accept(r)) return false;
    best = { workload: wl, run: r };
    return true;
  };
  const fewer = (r: Execution) => better(r, best.run);

  /** Zeroes chunks of the nonzero choices, halving the chunk size down to single choices. */
  const zeroChunks = (): boolean => {
    let improved = false;
    let nonzero = best.run.choices.flatMap((c, i) => (c !== 0 ? [i] : []));
    for (let size = Math.ceil(nonzero.length / 2); size >= 1 && spent < BUDGET; size = size === 1 ? 0 : Math.ceil(size / 2)) {
      for (let start = 0; start < nonzero.length && spent < BUDGET; start += size) {
        const zero = new Set(nonzero.slice(start, start + size));
        if (attempt(best.workload, best.run.choices.map((c, i) => (zero.has(i) ? 0 : c)), fewer)) {
          improved = true;
          nonzero = best.run.choices.flatMap((c, i) => (c !== 0 ? [i] : []));
          start -= size; // the same position now holds the next chunk
        }
      }
    }
    return improved;
  };

  /** A smaller workload that still fails is progress whatever its schedule: keep the choices, keep running throughout, or search a little. */
  const smallerWorkload = (): boolean => {
    const size = (wl: unknown) => JSON.stringify(wl).length;
    for (const wl of [...withoutOneProgram(best.workload), ...(protocol.shrinkWorkload?.(best.workload) ?? [])]) {
      if (spent >= BUDGET) return false;
      // progress only: a protocol's candidate that is not smaller would let the search wander
      if (size(wl) >= size(best.workload)) continue;
      if (attempt(wl, best.run.choices, () => true) || attempt(wl, [], () => true)) return true;
      for (let seed = 1; seed <= RESEARCH; seed++) {
        if (attempt(wl, new DrawnRandomStrategy({ density: seed % DENSITY.length, prefix: [], tail: seed }), () => true)) return true;
      }
    }
    return false;
  };

  let improved = true;
  while (improved && spent < BUDGET) {
    improved = false;
    while (smallerWorkload()) improved = true;
    if (zeroChunks()) improved = true;
    for (let i = best.run.choices.length - 1; i >= 0 && spent < BUDGET; i--) {
      const c = best.run.choices;
      if (i >= c.length) continue;
      if (attempt(best.workload, [...c.slice(0, i), ...c.slice(i + 1)], fewer)) improved = true;
    }
  }
  return { workload: best.workload, choices: best.run.choices };
}
