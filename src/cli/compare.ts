/**
 * kcheck compare <protocol>: every variant of one protocol with the same seed and number of
 * runs, as one table: the safety verdict next to the mean architectural cost per operation
 * (counters / ops when the protocol counts 'ops', else per run), and the informational
 * findings (info:*) that say what a design gives up on purpose. Generic over protocols.
 */
import * as fc from 'fast-check';
import { check, type CheckResult } from '../check/check.js';
import { resolveOptions } from '../check/options.js';
import { execute } from '../engine/engine.js';
import { DrawnRandomStrategy, randomInput } from '../explore/random.js';
import { asExpected, type Protocol, type Variant } from '../protocol.js';
import { findVariant } from '../registry.js';
import { table } from '../report/table.js';
import { EXIT, json, out, progress, stdoutColors } from './shared.js';
import { builtinWorkspace, loadWorkspace, type Workspace, type WorkspaceFlags } from './workspace.js';

export interface CompareFlags extends WorkspaceFlags {
  json?: boolean; runs?: number; seed?: number; cpus?: number; correct?: boolean;
  /** run every variant on the workloads of this one (default: each variant on its own) */
  workload?: string;
}

export interface CompareRow {
  variant: string;
  buggy: boolean;
  /** 'holds', or the invariant that failed */
  verdict: string;
  /** as the variant's author expected (correct holds, buggy caught by its invariant) */
  asExpected: boolean;
  runs: number;
  /** 'op' or 'run': what the costs are divided by */
  per: 'op' | 'run';
  /** counter name -> mean per op (or run) */
  cost: Record<string, number>;
  /** distinct informational findings, by invariant */
  info: Record<string, number>;
}

function costs(counters: Record<string, number>, runs: number): Pick<CompareRow, 'per' | 'cost' | 'info'> {
  const per = counters['ops'] ? 'op' : 'run';
  const denom = counters['ops'] ?? Math.max(1, runs);
  const cost: Record<string, number> = {};
  const info: Record<string, number> = {};
  for (const [k, v] of Object.entries(counters)) {
    if (k.startsWith('info:')) info[k.slice(5)] = v;
    else if (k !== 'ops') cost[k] = v / denom;
  }
  return { per, cost, info };
}

function row(r: CheckResult, v: Variant): CompareRow {
  const verdict = r.ok ? 'holds' : r.failure.invariant;
  return {
    variant: r.variant, buggy: r.buggy, verdict, asExpected: asExpected(v, r.ok ? null : r.failure.invariant),
    runs: r.stats.runs, ...costs(r.stats.counters, r.stats.runs),
  };
}

/**
 * Every variant on the very same (workload, schedule) pairs, drawn once with the reference
 * variant's workload shape: what a design costs, and what it breaks, on the same callers.
 */
function onSharedWorkloads(p: Protocol, flags: CompareFlags, onVariant?: (name: string) => void): CompareRow[] {
  const ref = findVariant(p, flags.workload);
  const o = resolveOptions({ protocol: p, cpus: flags.cpus, seed: flags.seed ?? 1, runs: flags.runs ?? 500 });
  const pairs = fc.sample(fc.tuple(p.workload({ cpus: o.cpus, ops: o.ops, variant: ref }), randomInput), { numRuns: o.runs, seed: o.seed });
  const exec = { cpus: o.cpus, maxSteps: o.maxSteps, maxPreemptions: o.maxPreemptions, maxEnvSteps: o.maxEnvSteps, trace: false };
  return p.variants.filter((v) => !flags.correct || !v.buggy).map((v) => {
    onVariant?.(v.name);
    const counters: Record<string, number> = {};
    const failed = new Map<string, number>();
    for (const [wl, sched] of pairs) {
      const r = execute(p, v, wl, new DrawnRandomStrategy(sched), { ...exec, preempt: o.preempt ?? v.preempt ?? 'full' });
      for (const k in r.counters) counters[k] = (counters[k] ?? 0) + r.counters[k]!;
      if (r.failure) failed.set(r.failure.invariant, (failed.get(r.failure.invariant) ?? 0) + 1);
    }
    const worst = [...failed].sort((a, b) => b[1] - a[1])[0];
    const bad = [...failed.values()].reduce((a, b) => a + b, 0);
    const verdict = worst ? `fails ${bad}/${pairs.length}: ${worst[0]}` : 'holds';
    return { variant: v.name, buggy: v.buggy, verdict, asExpected: true, runs: pairs.length, ...costs(counters, pairs.length) };
  });
}

/** The seed and runs of a comparison: 1 and 500 unless given, KCHECK_SEED / KCHECK_RUNS over both. */
function compareBudget(p: Protocol, flags: CompareFlags): { seed: number; runs: number; envOverrides: string[] } {
  return resolveOptions({ protocol: p, seed: flags.seed ?? 1, runs: flags.runs ?? 500 });
}

/** Every variant of the protocol (the correct ones with --correct), each a row; names, user invariants and files from `ws`. */
export function compareRows(protocol: string | Protocol, flags: CompareFlags, onVariant?: (name: string) => void, ws: Workspace = builtinWorkspace): CompareRow[] {
  const p = typeof protocol === 'string' ? ws.registry.find(protocol) : protocol;
  if (flags.workload !== undefined) return onSharedWorkloads(p, flags, onVariant);
  const { seed, runs } = compareBudget(p, flags);
  return p.variants.filter((v) => !flags.correct || !v.buggy).map((v) => {
    onVariant?.(v.name);
    const r = check({ protocol: p, variant: v.name, runs, seed, cpus: flags.cpus, minimize: false, invariants: ws.invariants(p.name), sources: ws.sources(p.name) });
    return row(r, v);
  });
}

const fmt = (n: number | undefined) => (n === undefined ? '-' : n === 0 ? '0' : n < 0.01 ? n.toExponential(1) : n.toFixed(3));

export async function compareCommand(protocol: string, flags: CompareFlags): Promise<number> {
  const ws = await loadWorkspace(flags);
  const p = ws.registry.find(protocol);
  let done = 0;
  const bar = progress(`compare ${protocol}`, !flags.json, 'variants');
  const budget = compareBudget(p, flags);
  const rows = compareRows(p, flags, () => bar.update(done++, p.variants.length), ws);
  bar.stop();
  const ok = rows.every((r) => r.asExpected);
  if (flags.json) {
    json({ protocol, seed: budget.seed, ok, rows });
    return ok ? EXIT.holds : EXIT.counterexample;
  }
  const c = stdoutColors();
  const counters = [...new Set(rows.flatMap((r) => Object.keys(r.cost)))].sort();
  const infos = [...new Set(rows.flatMap((r) => Object.keys(r.info)))].sort();
  const per = rows.some((r) => r.per === 'op') ? 'op' : 'run';
  const head = ['variant', 'kind', 'safety', 'runs', ...counters.map((k) => `${k}/${per}`), ...infos.map((k) => `info ${/\[(.*)\]$/.exec(k)?.[1] ?? k.split('/').pop()}`)];
  const cells = rows.map((r) => [
    r.variant, r.buggy ? 'buggy' : 'correct', r.verdict + (r.asExpected ? '' : ' (UNEXPECTED)'), String(r.runs),
    ...counters.map((k) => fmt(r.cost[k])), ...infos.map((k) => String(r.info[k] ?? 0)),
  ]);
  const t = table(head, cells);
  for (const l of t.head) out(c.bold(l));
  for (const lines of t.rows) for (const l of lines) out(l);
  const where = flags.workload !== undefined ? `the same ${budget.runs} workloads and schedules (shape of ${flags.workload}) for every variant`
    : `${budget.runs} runs per variant on its own workloads (a buggy variant stops at its first counterexample)`;
  const env = budget.envOverrides.length ? c.yellow(` [env: ${budget.envOverrides.join(' ')}]`) : '';
  out(c.dim(`seed ${budget.seed}, ${where}; costs are means per ${per}; info = distinct informational findings`) + env);
  return ok ? EXIT.holds : EXIT.counterexample;
}
