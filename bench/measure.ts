/** The measurements every protocol section makes: checked steps/s, and runs, time and length to a bug. */
import { check } from '../src/check/check.js';
import { DEFAULT_BUDGET, type CheckOptions } from '../src/check/options.js';
import type { Variant } from '../src/protocol.js';
import { fmt, median } from './stats.js';

export const SEEDS = Array.from({ length: 20 }, (_, i) => 1000 + i);

/** How the kill tables' buggy variants are run, as their heading says it. */
export const KILL_INTRO = `Buggy variants, ${SEEDS.length} seeds each, the default run as \`kcheck run P --variant V --seed S\` makes it (portfolio of random and PCT runs with swarm kinds, a budget of ${fmt(DEFAULT_BUDGET.runs)} runs or ${DEFAULT_BUDGET.seconds} s, stopping at the first counterexample, found unshrunk; the shrunk length over the first 5 seeds caught). Time to first counterexample excludes shrinking and depends on the machine's load.`;

/** Checked steps per second of one variant over `reps` repetitions: [median, min, max], formatted. */
export function stepsPerSecond(protocol: string, variant: string, runs: number, reps: number): string[] {
  const rates: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const r = check({ protocol, variant, runs, seed: 7 + rep });
    rates.push(r.stats.steps / (r.stats.timeMs / 1000));
  }
  return [fmt(median(rates)), fmt(Math.min(...rates)), fmt(Math.max(...rates))];
}

export interface BugStats {
  caught: number;
  /** caught by the expected invariant or one it lists as an alternative */
  expected: number;
  runs: number[];
  ms: number[];
  steps: number[];
  preemptions: number[];
}

/** seeds whose counterexample is shrunk for the length columns (shrinking costs up to 1,000,000 steps a seed) */
const SHRUNK_SEEDS = 5;

/**
 * One buggy variant over every seed: how fast it is found and by what (the first failure as
 * found, unshrunk), and how short it shrinks (the first SHRUNK_SEEDS seeds that catch it, shrunk
 * as `kcheck run` shrinks).
 */
export function bugStats(protocol: string, v: Variant, options: Partial<CheckOptions>): BugStats {
  const s: BugStats = { caught: 0, expected: 0, runs: [], ms: [], steps: [], preemptions: [] };
  for (const seed of SEEDS) {
    const r = check({ protocol, variant: v.name, seed, ...options, shrink: false });
    if (r.ok) continue;
    s.caught++;
    if (r.failure.invariant === v.expect || v.alsoCaughtBy?.includes(r.failure.invariant)) s.expected++;
    s.runs.push(r.stats.firstFailureRun!);
    s.ms.push(r.stats.timeToFailureMs!);
    if (s.steps.length >= SHRUNK_SEEDS) continue;
    const shrunk = check({ protocol, variant: v.name, seed, ...options });
    if (shrunk.ok) continue;
    s.steps.push(shrunk.steps);
    s.preemptions.push(shrunk.preemptions);
  }
  return s;
}

export const KILL_HEAD = ['variant', 'expected invariant', 'caught', 'by expected', 'median runs to 1st', 'median ms to 1st', `median shrunk steps (first ${SHRUNK_SEEDS} seeds caught)`, 'max shrunk steps (of those)', 'median preemptive choices'];

export function killRow(v: Variant, s: BugStats, expected = [v.expect ?? '-', ...(v.alsoCaughtBy ?? [])].join(' or ')): (string | number)[] {
  return [v.name, expected, `${s.caught}/${SEEDS.length}`, `${s.expected}/${SEEDS.length}`, fmt(median(s.runs)), fmt(median(s.ms), 1),
    fmt(median(s.steps)), fmt(s.steps.length ? Math.max(...s.steps) : NaN), fmt(median(s.preemptions))];
}
