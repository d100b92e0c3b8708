/**
 * check(): fast-check generates workloads and schedules, the engine executes them, fast-check
 * shrinks the first failure, the minimizer drops preemptions by replay, and the result comes back
 * as data with a replay token. replay(): re-executes a token exactly.
 */
import * as fc from 'fast-check';
import type { Protocol, Variant } from '../protocol.js';
import type { PreemptModel } from '../sim/world.js';
import { builtins } from '../protocols.js';
import { findVariant, type Registry } from '../registry.js';
import { RandomStrategy } from '../explore/random.js';
import { ReplayDiverged, ReplayStrategy } from '../explore/replay.js';
import type { Strategy } from '../engine/strategy.js';
import { execute, type ExecOptions } from '../engine/engine.js';
import { minimize } from './minimize.js';
import { BadInput, DEFAULT_BUDGET, isExhaustive, resolveOptions, type CheckOptions, type ResolvedOptions, type StrategyName } from './options.js';
import { pctDrawn, pctPilot, portfolioDrawn, randomDrawn, type Drawn, type PctGuarantee } from '../explore/sampled.js';
import { search, type ExhaustiveStats } from '../explore/search.js';
import { dfs } from '../explore/dfs.js';
import { CoverageRecorder, type CoverageReport, type ReachableCoverage } from './coverage.js';
import type { Execution, Failure, TraceStep } from '../engine/result.js';
import { decodeToken, encodeToken, type Scenario } from './token.js';

export interface Stats {
  runs: number;
  steps: number;
  timeMs: number;
  seed: number;
  /** run (1-based) that first failed, if any */
  firstFailureRun?: number;
  /** ms until the first failure was found (before shrinking) */
  timeToFailureMs?: number;
  numShrinks: number;
  /** generation stopped by --time-limit before all runs were done */
  interrupted: boolean;
  /** the bounds every run had (null preemptions: unbounded), and the kernel's preemption model */
  bounds?: { preemptions: number | null; envSteps: number; steps: number; preempt: PreemptModel };
  /** architectural events summed over all runs */
  counters: Record<string, number>;
  envOverrides: string[];
  /** how schedules were chosen (absent in results from before strategies existed) */
  strategy?: StrategyName;
  /** pct: what the runs established */
  pct?: PctGuarantee;
  /** portfolio: how many runs each member made */
  portfolio?: Record<string, number>;
  /** swarm testing: each run's workload drew a subset of these operation kinds */
  swarm?: string[];
  /** parameters fixed by the user */
  params?: Record<string, number>;
  /** the default budget, when the check ran on it: runs or seconds, whichever ended first */
  budget?: { runs: number; seconds: number };
  /** dfs/bfs: what the search established; `runs` counts its executions */
  exhaustive?: ExhaustiveStats;
  /** --coverage: statechart coverage over every execution of the check */
  coverage?: CoverageReport;
  /** --workers/--shard: runs per block, the blocks that ran (in order), the first failing one */
  blocks?: { size: number; ran: number[]; failing?: number };
}

export interface Counterexample {
  failure: Failure;
  scenario: Scenario;
  token: string;
  trace: TraceStep[];
  /** the workload as the report prints it */
  workload: string[];
  steps: number;
  preemptions: number;
  warnings: string[];
  counters: Record<string, number>;
}

export type CheckResult =
  | {
    ok: true; protocol: string; variant: string; buggy: boolean; stats: Stats;
    /** set when an exhaustive search stopped before covering its space: what stopped it. Not a pass */
    incomplete?: string;
  }
  | ({ ok: false; protocol: string; variant: string; buggy: boolean; stats: Stats } & Counterexample);

/** The protocol an option names: an object as given, a name looked up in the registry (default: the built-ins). */
export function resolveProtocol(protocol: string | Protocol, registry: Registry = builtins): Protocol {
  return typeof protocol === 'string' ? registry.find(protocol) : protocol;
}

export function check(options: CheckOptions): CheckResult {
  const o = resolveOptions(options);
  const protocol = resolveProtocol(o.protocol, o.registry);
  const variant = findVariant(protocol, o.variant);
  const coverage = o.coverage ? new CoverageRecorder(protocol.machine) : undefined;
  const preempt = o.preempt ?? variant.preempt ?? 'full';
  const exec: ExecOptions = { cpus: o.cpus, maxSteps: o.maxSteps, maxPreemptions: o.maxPreemptions, maxEnvSteps: o.maxEnvSteps, preempt, trace: false, extraInvariants: o.invariants, coverage };
  const workloads = workloadsOf(protocol, variant, o);
  const head = { protocol: protocol.name, variant: variant.name, buggy: variant.buggy };
  const t0 = performance.now();
  const found = isExhaustive(o.strategy) ? exhaustive(protocol, variant, workloads, exec, o, t0) : sampled(protocol, variant, workloads, exec, o, t0);
  const stats: Stats = {
    ...found.stats, timeMs: performance.now() - t0,
    bounds: { preemptions: Number.isFinite(o.maxPreemptions) ? o.maxPreemptions : null, envSteps: o.maxEnvSteps, steps: o.maxSteps, preempt },
  };
  if (coverage) {
    stats.coverage = coverage.report();
    if (found.drawn) stats.coverage.reachable = reachable(protocol, variant, workloads, { ...exec, coverage: undefined }, o, found.drawn);
  }
  if (!found.failing) {
    const x = stats.exhaustive;
    const incomplete = x?.stoppedBy ? `stopped by ${x.stoppedBy === 'max-states' ? `--max-states after ${x.states} states` : 'the time limit'}`
      // Musuvathi & Qadeer (PLDI 2007): a state reachable within the bound only in an order the
      // sleep set prunes is skipped (measured on kmap: 176 states against 181), so no proof
      : x?.reduction && Number.isFinite(x.preemptionBound) ? 'sleep sets under a preemption bound may skip states the unreduced search reaches (docs/strategies.md)'
        : undefined;
    return { ok: true, ...head, stats, ...(incomplete ? { incomplete } : {}) };
  }

  const { workload: wl, execution } = found.failing;
  // BFS found the fewest steps already; the minimizer would trade steps for fewer preemptions
  const min = o.minimize && o.shrink && o.strategy !== 'bfs' ? minimize(protocol, variant, wl, execution, exec) : { workload: wl, choices: execution.choices };
  const scenario: Scenario = {
    protocol: protocol.name, variant: variant.name, cpus: o.cpus,
    maxPreemptions: o.maxPreemptions, maxSteps: o.maxSteps, maxEnvSteps: o.maxEnvSteps, preempt, workload: min.workload, choices: min.choices,
    ...(o.sources.length ? { files: o.sources } : {}),
  };
  const cx = counterexample(protocol, variant, scenario, o.invariants);
  if (!cx) throw new Error('internal: the shrunk counterexample did not reproduce');
  return { ok: false, ...head, stats, ...cx };
}

interface Found {
  stats: Stats;
  failing: { workload: unknown; execution: Execution } | null;
  /** random/pct: how their strategies are drawn */
  drawn?: Drawn<unknown>;
}

/**
 * The workloads a check draws: the protocol's generator with the user's parameters; with swarm
 * testing (sampled strategies, a protocol that names its operation kinds) each run first draws a
 * non-empty subset of the kinds, so combinations that are rare in a uniform mix are common in
 * some runs (Groce et al., "Swarm testing", ISSTA 2012).
 */
function workloadsOf(protocol: Protocol, variant: Variant, o: ResolvedOptions): fc.Arbitrary<unknown> {
  for (const name of Object.keys(o.params)) {
    const p = protocol.parameters?.find((x) => x.name === name);
    if (!p) throw new BadInput(`unknown parameter '${name}' of ${protocol.name} (known: ${protocol.parameters?.map((x) => x.name).join(', ') || 'none'})`);
    if (o.params[name]! < p.min || o.params[name]! > p.max) throw new BadInput(`parameter ${name} must be from ${p.min} to ${p.max}, got ${o.params[name]}`);
  }
  const base = { cpus: o.cpus, ops: o.ops, variant, params: o.params };
  const kinds = protocol.operations;
  if (!swarmed(protocol, o)) return protocol.workload(base);
  return fc.subarray(kinds!, { minLength: 1 }).chain((k) => protocol.workload({ ...base, kinds: new Set(k) }));
}

const swarmed = (protocol: Protocol, o: ResolvedOptions) => o.swarm && !isExhaustive(o.strategy) && (protocol.operations?.length ?? 0) > 1;

/**
 * how many simulated steps fast-check's shrinking may execute after the first failure: past it
 * every shrink candidate counts as passing, so shrinking ends at once with the smallest failure
 * so far (the replay minimizer takes over from there). A budget in steps, not seconds: the same
 * seed shrinks to the same counterexample on a loaded machine and on an idle one.
 */
const SHRINK_STEPS = 1_000_000;

/** runs of a sampled strategy on one workload, for its share of the DFS-reachable states */
const REACH_RUNS = 200;
/** states of that DFS at most (the report says whether it completed): a share, not a proof */
const REACH_STATES = 500;

/**
 * The fraction of the abstract spec states DFS reaches on the first generated workload that
 * the check's own strategy hits in REACH_RUNS runs on that workload.
 */
function reachable(protocol: Protocol, variant: Variant, workloads: fc.Arbitrary<unknown>, exec: ExecOptions,
  o: ResolvedOptions, drawn: Drawn<unknown>): ReachableCoverage {
  const [wl] = fc.sample(workloads, { seed: o.seed, numRuns: 1 });
  const all = new CoverageRecorder(protocol.machine, { abstract: true });
  const d = dfs(protocol, variant, wl, { exec: { ...exec, coverage: all }, maxStates: Math.min(o.maxStates, REACH_STATES) });
  const hit = new CoverageRecorder(protocol.machine, { abstract: true });
  const runs = Math.min(o.runs, REACH_RUNS);
  for (const input of fc.sample(drawn.arb, { seed: o.seed, numRuns: runs })) execute(protocol, variant, wl, drawn.make(input), { ...exec, coverage: hit });
  let n = 0;
  for (const s of hit.abstract!) if (all.abstract!.has(s)) n++;
  return { dfsStates: all.abstract!.size, complete: d.complete, runs, hit: n };
}

/** random and PCT: fast-check draws workloads and strategy inputs, and shrinks the first failure. */
function sampled(protocol: Protocol, variant: Variant, workloads: fc.Arbitrary<unknown>, exec: ExecOptions,
  o: ResolvedOptions, t0: number): Found {
  const pilot = o.strategy === 'random' ? undefined : pctPilot(protocol, variant, workloads, exec, o.seed);
  const pct = o.strategy === 'pct' ? pctDrawn(pilot!, o.depth) : undefined;
  const portfolio = o.strategy === 'portfolio' ? portfolioDrawn(pilot!) : undefined;
  const drawn: Drawn<unknown> = (pct ?? portfolio ?? randomDrawn) as Drawn<unknown>;
  let runs = 0;
  let steps = 0;
  let target: string | undefined;
  let first: { run: number; ms: number } | undefined;
  let shrinkSteps = 0;
  const counters: Record<string, number> = {};
  const prop = fc.property(workloads, drawn.arb, (wl, input) => {
    if (first && shrinkSteps > SHRINK_STEPS) return true;
    const strategy = drawn.make(input);
    const r = execute(protocol, variant, wl, strategy, exec);
    if (first) shrinkSteps += r.steps;
    if (target === undefined) {
      runs++;
      steps += r.steps;
      drawn.ran?.(strategy, r);
      for (const k in r.counters) counters[k] = (counters[k] ?? 0) + r.counters[k]!;
      if (o.onProgress && runs % 50 === 0) o.onProgress(runs, o.runs);
    }
    if (!r.failure) return true;
    if (target === undefined) {
      target = r.failure.invariant;
      first = { run: runs, ms: performance.now() - t0 };
    }
    // while shrinking, only the failure first found counts: a different one is not "smaller"
    return r.failure.invariant !== target;
  });
  const plugins = o.timeLimit ? [fc.interruptAfterTimeLimit(o.timeLimit * 1000, { failOnInterrupt: false })] : [];
  const details = fc.check(prop, { numRuns: o.runs, seed: o.seed, plugins, endOnFailure: !o.shrink });
  o.onProgress?.(runs, o.runs);
  const stats: Stats = {
    runs, steps, timeMs: 0, seed: o.seed, numShrinks: details.numShrinks,
    interrupted: details.interrupted, counters, envOverrides: o.envOverrides, strategy: o.strategy,
    ...(first ? { firstFailureRun: first.run, timeToFailureMs: first.ms } : {}),
    ...(pct ? { pct: pct.guarantee(runs) } : {}),
    ...(portfolio ? { portfolio: portfolio.mix } : {}),
    ...(swarmed(protocol, o) ? { swarm: protocol.operations } : {}),
    ...(Object.keys(o.params).length ? { params: o.params } : {}),
    ...(o.budget ? { budget: DEFAULT_BUDGET } : {}),
  };
  if (!details.failed || !details.counterexample) return { stats, failing: null, drawn };
  const [wl, input] = details.counterexample as [unknown, unknown];
  return { stats, failing: { workload: wl, execution: execute(protocol, variant, wl, drawn.make(input), exec) }, drawn };
}

/** dfs and bfs: every interleaving of the first generated workloads, within the bounds. */
function exhaustive(protocol: Protocol, variant: Variant, workloads: fc.Arbitrary<unknown>, exec: ExecOptions,
  o: ResolvedOptions, t0: number): Found {
  const r = search(protocol, variant, workloads, exec, {
    kind: o.strategy as 'dfs' | 'bfs', runs: o.runs, seed: o.seed, maxStates: o.maxStates, reduction: o.reduction,
    ...(o.timeLimit ? { deadline: t0 + o.timeLimit * 1000 } : {}),
  });
  const stats: Stats = {
    runs: r.stats.executions, steps: r.stats.steps, timeMs: 0, seed: o.seed, numShrinks: 0,
    interrupted: r.stats.stoppedBy === 'time-limit', counters: {}, envOverrides: o.envOverrides,
    strategy: o.strategy, exhaustive: r.stats,
    ...(r.failing ? { firstFailureRun: r.stats.executions, timeToFailureMs: performance.now() - t0 } : {}),
  };
  return { stats, failing: r.failing };
}

/** Re-executes a scenario with tracing on; null when it now holds. */
export function counterexample(protocol: Protocol, variant: Variant, scenario: Scenario, invariants: CheckOptions['invariants'],
  strategy: Strategy = new ReplayStrategy(scenario.choices)): Counterexample | null {
  const r: Execution = execute(protocol, variant, scenario.workload, strategy, {
    cpus: scenario.cpus, maxSteps: scenario.maxSteps, maxPreemptions: scenario.maxPreemptions, maxEnvSteps: scenario.maxEnvSteps, preempt: scenario.preempt, trace: true,
    ...(scenario.maxDelays !== undefined ? { maxDelays: scenario.maxDelays } : {}),
    extraInvariants: invariants ?? [],
  });
  if (!r.failure) return null;
  return {
    failure: r.failure, scenario: { ...scenario, choices: r.choices }, token: encodeToken({ ...scenario, choices: r.choices }),
    trace: r.trace ?? [], workload: protocol.describe?.(scenario.workload) ?? [JSON.stringify(scenario.workload)],
    steps: r.steps, preemptions: r.preemptions, warnings: r.warnings, counters: r.counters,
  };
}

export type ReplayResult =
  /** the recorded schedule replayed to its end and nothing failed */
  | { ok: true; verdict: 'holds'; protocol: string; variant: string; diverged: false }
  /** the program no longer follows the recorded schedule and the lenient replay found nothing: nothing is shown either way */
  | { ok: false; verdict: 'diverged'; protocol: string; variant: string; diverged: true; divergence: string }
  | ({ ok: false; verdict: 'counterexample'; protocol: string; variant: string; diverged: boolean; divergence?: string } & Counterexample);

export interface ReplayOptions extends Pick<CheckOptions, 'invariants' | 'registry'> {
  /** the protocol object to replay on (default: the token's protocol, looked up in the registry) */
  protocol?: Protocol;
}

/**
 * Replays a token: the identical failure, or 'holds' when the scenario now holds. When the
 * program no longer follows the recorded schedule (the code changed), the schedule is replayed
 * leniently (choices taken modulo what is runnable): a failure found so is still a
 * counterexample (with its own token); finding none is 'diverged', never 'holds'.
 */
export function replay(token: string, options: ReplayOptions = {}): ReplayResult {
  const scenario = decodeToken(token);
  const protocol = options.protocol ?? resolveProtocol(scenario.protocol, options.registry);
  if (protocol.name !== scenario.protocol) throw new BadInput(`the token is a ${scenario.protocol} scenario, not ${protocol.name}`);
  const variant = findVariant(protocol, scenario.variant);
  const head = { protocol: protocol.name, variant: variant.name };
  try {
    const cx = counterexample(protocol, variant, scenario, options.invariants);
    return cx ? { ok: false, verdict: 'counterexample', ...head, diverged: false, ...cx } : { ok: true, verdict: 'holds', ...head, diverged: false };
  } catch (e) {
    if (!(e instanceof ReplayDiverged)) throw e;
    const divergence = e.message;
    const cx = counterexample(protocol, variant, scenario, options.invariants, new RandomStrategy(scenario.choices));
    return cx ? { ok: false, verdict: 'counterexample', ...head, diverged: true, divergence, ...cx } : { ok: false, verdict: 'diverged', ...head, diverged: true, divergence };
  }
}
