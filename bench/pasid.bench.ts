/**
 * pasid: checked steps per second on the correct variants; per buggy variant the runs and time
 * to the first counterexample (median of 20 seeds) and the shrunk length; and the cost of each
 * design on the same workloads (same seed): IA32_PASID writes, IPIs, xsave lines dirtied, #GPs.
 */
import { check } from '../src/check/check.js';
import { pasidVariants } from '../properties/pasid-variants.js';
import { fmt, median, table } from './stats.js';

export const title = 'pasid protocol';
export const order = 30;

const SEEDS = Array.from({ length: 20 }, (_, i) => 1000 + i);
/** per seed; the slowest bug (IPI-5.10) needs tens of thousands of runs */
const BUDGET = { runs: 200_000, timeLimit: 30 };

function throughput(): string {
  const rows: (string | number)[][] = [];
  for (const v of pasidVariants.filter((x) => !x.buggy)) {
    const rates: number[] = [];
    for (let rep = 0; rep < 5; rep++) {
      const r = check({ protocol: 'pasid', variant: v.name, runs: 3000, seed: 7 + rep });
      rates.push(r.stats.steps / (r.stats.timeMs / 1000));
    }
    rows.push([v.name, fmt(median(rates)), fmt(Math.min(...rates)), fmt(Math.max(...rates))]);
  }
  return `Checked steps per second (3,000 runs per repetition, 5 repetitions, one core):\n\n${table(['variant', 'median steps/s', 'min', 'max'], rows)}`;
}

function killTable(): string {
  const rows: (string | number)[][] = [];
  for (const v of pasidVariants.filter((x) => x.buggy)) {
    const runs: number[] = [];
    const ms: number[] = [];
    const steps: number[] = [];
    let caught = 0;
    let expected = 0;
    for (const seed of SEEDS) {
      const r = check({ protocol: 'pasid', variant: v.name, seed, ...BUDGET, ...(v.expect === 'kernel/progress' ? { maxSteps: 300 } : {}) });
      if (r.ok) continue;
      caught++;
      if (r.failure.invariant === v.expect || v.alsoCaughtBy?.includes(r.failure.invariant)) expected++;
      runs.push(r.stats.firstFailureRun!);
      ms.push(r.stats.timeToFailureMs!);
      steps.push(r.steps);
    }
    rows.push([v.name, v.expect ?? '-', `${caught}/${SEEDS.length}`, `${expected}/${SEEDS.length}`, fmt(median(runs)), fmt(median(ms), 1), fmt(median(steps))]);
  }
  return table(['variant', 'expected invariant', 'caught', 'by expected', 'median runs to 1st', 'median ms to 1st', 'median shrunk steps'], rows);
}

/** The same 3,000 generated workloads and schedules (one seed) under every design. */
function costTable(): string {
  const rows: (string | number)[][] = [];
  const names = ['5.18-fixed', 'andy-2020', 'andy-2020-unconditional', 'ipi-5.10-fpu-safe', 'ipi-5.10', 'lazy-2020-v6'];
  for (const name of names) {
    const r = check({ protocol: 'pasid', variant: name, runs: 3000, seed: 42, minimize: false });
    const c = r.stats.counters;
    const per = (k: string) => fmt(((c[k] ?? 0) / Math.max(1, c['enqcmd'] ?? 0)), 2);
    rows.push([name, r.ok ? 'holds' : `fails (${r.failure.invariant})`, r.stats.runs, fmt(c['enqcmd'] ?? 0), per('wrmsr'), per('ipi'), per('xsave-dirty'), per('gp'), per('switch-pasid-update'), per('xrstor')]);
  }
  return table(['variant', 'safety (3,000 runs)', 'runs', 'descriptors', 'WRMSR / descriptor', 'IPIs / descriptor', 'xsave lines dirtied / descriptor', '#GP / descriptor', 'switch-path PASID updates / descriptor', 'XRSTOR / descriptor'], rows);
}

export async function run(): Promise<string> {
  return [
    throughput(),
    '',
    `Buggy variants, ${SEEDS.length} seeds each (random strategy, up to ${fmt(BUDGET.runs)} runs or ${BUDGET.timeLimit} s per seed; livelocks with a 300-step budget). Time to first counterexample excludes shrinking.`,
    '',
    killTable(),
    '',
    'Cost per submitted descriptor on the same workloads and schedules (seed 42; a failing variant stops at its first counterexample, so its figures cover fewer runs):',
    '',
    costTable(),
  ].join('\n');
}
