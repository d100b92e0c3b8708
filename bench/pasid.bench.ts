/**
 * pasid: checked steps per second on the correct variants; per buggy variant, what the default
 * `kcheck run pasid --variant V` finds over 20 seeds (runs and time to the first counterexample,
 * shrunk length); and the cost of each design on the same workloads (same seed): IA32_PASID
 * writes, IPIs, xsave lines dirtied, #GPs.
 */
import { check } from '../src/check/check.js';
import { pasidVariants } from '../properties/pasid-variants.js';
import { bugStats, KILL_HEAD, killRow, SEEDS, stepsPerSecond } from './measure.js';
import { fmt, table } from './stats.js';

export const title = 'pasid protocol';
export const order = 30;


function throughput(): string {
  const rows = pasidVariants.filter((x) => !x.buggy).map((v) => [v.name, ...stepsPerSecond('pasid', v.name, 3000, 5)]);
  return `Checked steps per second (3,000 runs per repetition, 5 repetitions, one core):\n\n${table(['variant', 'median steps/s', 'min', 'max'], rows)}`;
}

function killTable(): string {
  const rows = pasidVariants.filter((x) => x.buggy).map((v) =>
    killRow(v, bugStats('pasid', v, v.expect === 'kernel/progress' ? { maxSteps: 300 } : {})));
  return table(KILL_HEAD, rows);
}

/** The same 3,000 generated workloads and schedules (one seed) under every design. */
function costTable(): string {
  const rows: (string | number)[][] = [];
  const names = ['mainline-exec-clear', 'andy-2020', 'andy-2020-unconditional', 'ipi-5.10-fpu-safe', 'ipi-5.10'];
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
    `Buggy variants, ${SEEDS.length} seeds each, default options (the default budget and portfolio, swarm; livelocks with a 300-step budget), as \`kcheck run pasid --variant V\` runs them. Time to first counterexample excludes shrinking and depends on the machine's load.`,
    '',
    killTable(),
    '',
    'Cost per submitted descriptor on the same workloads and schedules (seed 42; a failing variant stops at its first counterexample, so its figures cover fewer runs):',
    '',
    costTable(),
  ].join('\n');
}
