/**
 * text-poke: checked steps per second on the correct variant, and per buggy variant the runs and
 * time to the first counterexample over 20 seeds with the default options (the portfolio's budget per seed),
 * and the length of the shrunk counterexample.
 */
import { textPokeVariants } from '../properties/text-poke-variants.js';
import { bugStats, KILL_HEAD, KILL_INTRO, killRow, stepsPerSecond } from './measure.js';
import { table } from './stats.js';

export const title = 'text-poke protocol';
export const order = 40;

export async function run(): Promise<string> {
  const [med, min, max] = stepsPerSecond('text-poke', '5.10', 2000, 5);
  const rows = textPokeVariants.filter((v) => v.buggy).map((v) => killRow(v, bugStats('text-poke', v, {})));
  return [
    `Checked steps per second, \`5.10\` variant, 2,000 runs per repetition, one core: median **${med}** steps/s over 5 repetitions (min ${min}, max ${max}).`,
    '',
    KILL_INTRO,
    '',
    table(KILL_HEAD, rows),
  ].join('\n');
}
