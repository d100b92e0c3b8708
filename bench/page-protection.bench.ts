/**
 * page-protection: checked steps per second on each correct design, per buggy variant the runs
 * and time to the first counterexample over 20 seeds and the shrunk length, and the safety/cost
 * table of `kcheck compare page-protection --workload V-TGLX-relaxed`.
 */
import { compareRows } from '../src/cli/compare.js';
import { ppVariants } from '../properties/page-protection-variants.js';
import { bugStats, KILL_HEAD, KILL_INTRO, killRow, stepsPerSecond } from './measure.js';
import { fmt, table } from './stats.js';

export const title = 'page-protection protocol (PKS)';
export const order = 30;

const P = 'page-protection';
function throughput(): string {
  const rows = ppVariants.filter((v) => !v.buggy).map((v) => [v.name, ...stepsPerSecond(P, v.name, 2000, 3)]);
  return table(['correct variant', 'median steps/s', 'min', 'max'], rows);
}

/** `kcheck run page-protection --variant V` as a user runs it: the default budget and strategy. */
function killTable(): string {
  const rows = ppVariants.filter((x) => x.buggy).map((v) =>
    killRow(v, bugStats(P, v, {}), [v.expect!, ...(v.alsoCaughtBy ?? [])].map((i) => i.replace(`${P}/`, '')).join(' or ')));
  return table(KILL_HEAD, rows);
}

function costTable(): string {
  const rows = compareRows(P, { runs: 1000, seed: 1, correct: true, workload: 'V-TGLX-relaxed' });
  const counters = ['wrmsr', 'pk_fault', 'oops', 'ipi'];
  const findings = (info: Record<string, number>) =>
    Object.entries(info).map(([k, n]) => `${/\[(.*)\]$/.exec(k)?.[1] ?? k} ${n}`).join(', ') || '-';
  return table(['variant', 'safety on these workloads', ...counters.map((c) => `${c}/op`), 'strong-form findings (by weakening)'],
    rows.map((r) => [r.variant, r.verdict.replace(`${P}/`, ''), ...counters.map((c) => fmt(r.cost[c] ?? 0, 3)), findings(r.info)]));
}

export async function run(): Promise<string> {
  return [
    'Checked steps per second per correct design (2,000 runs per repetition, median of 3, one core):',
    '',
    throughput(),
    '',
    KILL_INTRO,
    '',
    killTable(),
    '',
    'Every correct design on the same 1,000 workloads and schedules (the V-TGLX RELAXED shape: kmap() with hand-over and kunmap elsewhere, nested interrupts with their own kmap_local, stray writes), seed 1:',
    '',
    costTable(),
  ].join('\n');
}
