/**
 * kmap: checked steps per second on the correct variant (implementation + spec + invariants,
 * fast-check generation included), and per buggy variant the runs and time to the first
 * counterexample over 20 seeds and the length of the shrunk counterexample.
 */
import { kmapVariants } from '../properties/kmap-variants.js';
import { bugStats, KILL_HEAD, killRow, SEEDS, stepsPerSecond } from './measure.js';
import { table } from './stats.js';

export const title = 'kmap protocol';
export const order = 10;

export async function run(): Promise<string> {
  const [med, min, max] = stepsPerSecond('kmap', 'mainline', 4000, 5);
  const rows = kmapVariants.filter((v) => v.buggy).map((v) => killRow(v, bugStats('kmap', v, { runs: 20000 })));
  return [
    `Checked steps per second, \`mainline\` variant, 4,000 runs per repetition, one core: median **${med}** steps/s over 5 repetitions (min ${min}, max ${max}).`,
    '',
    `Buggy variants, ${SEEDS.length} seeds each (random strategy, up to 20,000 runs per seed). Time to first counterexample excludes shrinking.`,
    '',
    table(KILL_HEAD, rows),
  ].join('\n');
}
