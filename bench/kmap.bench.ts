/**
 * kmap: checked steps per second on the correct variant (implementation + spec + invariants,
 * fast-check generation included); per buggy variant, what the default run (no option but the
 * seed) spends to the first counterexample over 20 seeds and the length of the shrunk
 * counterexample; and how often the default exploration takes the pool-exhaustion paths.
 */
import { check } from '../src/check/check.js';
import { kmapVariants } from '../properties/kmap-variants.js';
import { bugStats, KILL_HEAD, KILL_INTRO, killRow, stepsPerSecond } from './measure.js';
import { fmt, table } from './stats.js';

export const title = 'kmap protocol';
export const order = 10;

/** The kernel model's write-only counters for the paths that only a pool running out takes. */
const PATHS: [string, string][] = [
  ['pkmap_sleep', 'map_new_virtual() sleeps: no free slot'],
  ['pkmap_wakeup', 'kunmap_high() wakes a sleeper'],
  ['pkmap_mapped_meanwhile', 'the re-check after the sleep finds the page mapped'],
  ['tlb_flush', 'flush_all_zero_pkmaps() flushes'],
];

function paths(runs: number): string {
  const rows = kmapVariants.filter((v) => !v.buggy && v.config.kernel.HIGHMEM).map((v) => {
    const r = check({ protocol: 'kmap', variant: v.name, seed: 1, runs });
    return [v.name, r.ok ? 'holds' : r.failure.invariant, ...PATHS.map(([c]) => fmt(r.stats.counters[c] ?? 0))];
  });
  return table(['correct variant', 'verdict', ...PATHS.map(([c, what]) => `${c} (${what})`)], rows);
}

export async function run(): Promise<string> {
  const [med, min, max] = stepsPerSecond('kmap', 'mainline', 4000, 5);
  const rows = kmapVariants.filter((v) => v.buggy).map((v) => killRow(v, bugStats('kmap', v, {})));
  return [
    `Checked steps per second, \`mainline\` variant, 4,000 runs per repetition, one core: median **${med}** steps/s over 5 repetitions (min ${min}, max ${max}).`,
    '',
    KILL_INTRO,
    '',
    table(KILL_HEAD, rows),
    '',
    'Pool-exhaustion paths taken in 2,000 runs of the default exploration (seed 1; events, not runs):',
    '',
    paths(2000),
  ].join('\n');
}
