/**
 * page-protection: checked steps per second on each correct design, per buggy variant the runs
 * and time to the first counterexample over 20 seeds and the shrunk length, and the safety/cost
 * table of `kcheck compare page-protection --workload V-TGLX-relaxed`.
 */
import { check } from '../src/check/check.js';
import { compareRows } from '../src/cli/compare.js';
import { ppVariants } from '../properties/page-protection-variants.js';
import { fmt, median, table } from './stats.js';

export const title = 'page-protection protocol (PKS)';
export const order = 30;

const P = 'page-protection';
const SEEDS = Array.from({ length: 20 }, (_, i) => 1000 + i);

function throughput(): string {
  const rows = ppVariants.filter((v) => !v.buggy).map((v) => {
    const rates: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      const r = check({ protocol: P, variant: v.name, runs: 2000, seed: 7 + rep });
      rates.push(r.stats.steps / (r.stats.timeMs / 1000));
    }
    return [v.name, fmt(median(rates)), fmt(Math.min(...rates)), fmt(Math.max(...rates))];
  });
  return table(['correct variant', 'median steps/s', 'min', 'max'], rows);
}

function killTable(): string {
  const rows: (string | number)[][] = [];
  for (const v of ppVariants.filter((x) => x.buggy)) {
    const runs: number[] = [];
    const ms: number[] = [];
    const steps: number[] = [];
    let caught = 0;
    let expected = 0;
    for (const seed of SEEDS) {
      const r = check({ protocol: P, variant: v.name, runs: 20000, seed });
      if (r.ok) continue;
      caught++;
      if (r.failure.invariant === v.expect || v.alsoCaughtBy?.includes(r.failure.invariant)) expected++;
      runs.push(r.stats.firstFailureRun!);
      ms.push(r.stats.timeToFailureMs!);
      steps.push(r.steps);
    }
    rows.push([v.name, [v.expect!, ...(v.alsoCaughtBy ?? [])].map((i) => i.replace(`${P}/`, '')).join(' or '), `${caught}/${SEEDS.length}`, `${expected}/${SEEDS.length}`, fmt(median(runs)), fmt(median(ms), 1), fmt(median(steps)), fmt(Math.max(...steps))]);
  }
  return table(['variant', 'expected invariant', 'caught', 'by expected', 'median runs to 1st', 'median ms to 1st', 'median shrunk steps', 'max shrunk steps'], rows);
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
    `Buggy variants, ${SEEDS.length} seeds each (random strategy, up to 20,000 runs per seed). Time to first counterexample excludes shrinking.`,
    '',
    killTable(),
    '',
    'Every correct design on the same 1,000 workloads and schedules (the V-TGLX RELAXED shape: kmap() with hand-over and kunmap elsewhere, nested interrupts with their own kmap_local, stray writes), seed 1:',
    '',
    costTable(),
  ].join('\n');
}
