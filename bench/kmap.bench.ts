/**
 * kmap: checked steps per second on the correct variant (implementation + spec + invariants,
 * fast-check generation included), and per buggy variant the runs and time to the first
 * counterexample over 20 seeds and the length of the shrunk counterexample.
 */
import { check } from '../src/check/check.js';
import { kmapVariants } from '../properties/kmap-variants.js';
import { fmt, median, table } from './stats.js';

export const title = 'kmap protocol';
export const order = 10;

const SEEDS = Array.from({ length: 20 }, (_, i) => 1000 + i);

function throughput(): string {
  const rates: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const r = check({ protocol: 'kmap', variant: 'mainline', runs: 4000, seed: 7 + rep });
    rates.push(r.stats.steps / (r.stats.timeMs / 1000));
  }
  return `Checked steps per second, \`mainline\` variant, 4,000 runs per repetition, one core: median **${fmt(median(rates))}** steps/s over 5 repetitions (min ${fmt(Math.min(...rates))}, max ${fmt(Math.max(...rates))}).`;
}

function killTable(): string {
  const rows: (string | number)[][] = [];
  for (const v of kmapVariants.filter((x) => x.buggy)) {
    const runs: number[] = [];
    const ms: number[] = [];
    const steps: number[] = [];
    const pre: number[] = [];
    let caught = 0;
    let expected = 0;
    for (const seed of SEEDS) {
      const r = check({ protocol: 'kmap', variant: v.name, runs: 20000, seed });
      if (r.ok) continue;
      caught++;
      if (r.failure.invariant === v.expect || v.alsoCaughtBy?.includes(r.failure.invariant)) expected++;
      runs.push(r.stats.firstFailureRun!);
      ms.push(r.stats.timeToFailureMs!);
      steps.push(r.steps);
      pre.push(r.preemptions);
    }
    rows.push([v.name, v.expect ?? '-', `${caught}/${SEEDS.length}`, `${expected}/${SEEDS.length}`, fmt(median(runs)), fmt(median(ms), 1), fmt(median(steps)), fmt(median(pre))]);
  }
  return table(['variant', 'expected invariant', 'caught', 'by expected', 'median runs to 1st', 'median ms to 1st', 'median shrunk steps', 'median preemptive choices'], rows);
}

export async function run(): Promise<string> {
  return [
    throughput(),
    '',
    `Buggy variants, ${SEEDS.length} seeds each (random strategy, up to 20,000 runs per seed). Time to first counterexample excludes shrinking.`,
    '',
    killTable(),
  ].join('\n');
}
