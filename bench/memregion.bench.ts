/**
 * memregion: checked steps per second on the correct variants; per buggy variant, with the
 * default options (the portfolio on its budget), how many of 20 seeds find it, how fast, and how
 * short the shrunk counterexample is; and what each design costs on the same workloads and
 * schedules: WBINVDs, IPIs, lines written back and invalidated per operation, the "global
 * performance impact" of the wbinvd hammer.
 */
import { compareRows } from '../src/cli/compare.js';
import { memregionVariants } from '../properties/memregion-variants.js';
import { bugStats, KILL_HEAD, KILL_INTRO, killRow, stepsPerSecond } from './measure.js';
import { fmt, table } from './stats.js';

export const title = 'memregion protocol';
export const order = 40;

const COST_RUNS = 2000;

function throughput(): string {
  const rows = memregionVariants.filter((x) => !x.buggy).map((v) => [v.name, ...stepsPerSecond('memregion', v.name, 2000, 3)]);
  return `Checked steps per second (2,000 runs per repetition, 3 repetitions, one core):\n\n${table(['variant', 'median steps/s', 'min', 'max'], rows)}`;
}

function killTable(): string {
  return table(KILL_HEAD, memregionVariants.filter((x) => x.buggy).map((v) => killRow(v, bugStats('memregion', v, {}))));
}

function costTable(): string {
  const rows = compareRows('memregion', { workload: 'mainline', runs: COST_RUNS, seed: 42 }).map((r) => {
    const per = (k: string) => fmt(r.cost[k] ?? 0, 3);
    return [r.variant, r.buggy ? 'buggy' : 'correct', r.verdict, per('wbinvd'), per('ipi'), per('lines-written-back'), per('lines-invalidated'), per('wbinvd-ignored')];
  });
  return table(['variant', 'kind', `safety (${fmt(COST_RUNS)} runs)`, 'WBINVD / op', 'IPIs / op', 'lines written back / op', 'lines invalidated / op', 'WBINVD ignored in a guest / op'], rows);
}

export async function run(): Promise<string> {
  return [
    throughput(),
    '',
    KILL_INTRO,
    '',
    killTable(),
    '',
    `Every variant on the same ${fmt(COST_RUNS)} workloads and schedules (the shape of \`mainline\`, seed 42; \`kcheck compare memregion --workload mainline\`), costs per operation (2 CPUs):`,
    '',
    costTable(),
  ].join('\n');
}
