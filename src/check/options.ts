/** Options are resolved once into a complete config; environment overrides happen only here. */
import type { Invariant, Protocol } from '../protocol.js';
import type { Registry } from '../registry.js';
import type { PreemptModel } from '../sim/world.js';
import type { SourceFile } from './token.js';

export const STRATEGIES = ['portfolio', 'random', 'pct', 'dfs', 'bfs'] as const;
export type StrategyName = (typeof STRATEGIES)[number];
/** simulated CPUs a check may have: one per process of a model, as a model checker allows */
export const MAX_CPUS = 64;

export const isExhaustive = (s: StrategyName) => s === 'dfs' || s === 'bfs';

export interface CheckOptions {
  /** a protocol object, or a name looked up in `registry` (`kcheck list` shows the built-in ones) */
  protocol: string | Protocol<any, any, any, any, any>;
  /** default: the built-in protocols; where a protocol name is looked up */
  registry?: Registry;
  /**
   * default []: the user files this check's protocol and invariants come from; counterexample
   * tokens name them (path and content hash) so that a replay loads them again
   */
  sources?: SourceFile[];
  /** default: the protocol's first correct variant */
  variant?: string;
  /**
   * default: the budget (DEFAULT_BUDGET runs or seconds, whichever ends first; dfs/bfs: 1):
   * executions (workload + schedule) to try; for dfs/bfs, workloads to explore exhaustively, the
   * first ones fast-check generates from the seed
   */
  runs?: number;
  /**
   * default 'portfolio': how schedules are chosen. portfolio: each run is random or PCT of
   * depth 1-3, drawn per run; random: shrinkable choice lists with a drawn preemption density;
   * pct: PCT priorities with depth-1 change points; dfs/bfs: every interleaving of each workload
   */
  strategy?: StrategyName;
  /**
   * default true: swarm testing (Groce et al., ISSTA 2012) for sampled strategies: each run's
   * workload uses a random subset of the protocol's operation kinds
   */
  swarm?: boolean;
  /** default {}: workload parameters fixed by the user (the protocol's `parameters`) */
  params?: Record<string, number>;
  /** default 3: PCT bug depth d (d-1 priority change points) */
  depth?: number;
  /** default 200000: dfs/bfs stop after this many distinct states (in total) */
  maxStates?: number;
  /**
   * default false: dfs reduces with sleep sets (steps on unrelated objects are not permuted).
   * Off by default: on kmap nearly every step reports a spec event, so it saves nothing there
   * and the recording proxy costs time (BENCHMARKS.md)
   */
  reduction?: boolean;
  /** default false: measure statechart state, transition and transition-pair coverage */
  coverage?: boolean;
  /** default: random; the seed of fast-check's generator (KCHECK_SEED overrides) */
  seed?: number;
  /** default 2: simulated CPUs */
  cpus?: number;
  /** default 6: operations per task in generated workloads */
  ops?: number;
  /** default none (the budget's seconds when neither runs nor a time limit is given): stop generating new runs after this many seconds */
  timeLimit?: number;
  /**
   * default none for random and pct, 2 for dfs/bfs: preemptions per run, i.e. decisions that
   * switch away from a unit that could have gone on (the preemption bound B of dfs/bfs)
   */
  maxPreemptions?: number;
  /** default 32: environment actions (speculative fills, write-backs) per run */
  maxEnvSteps?: number;
  /** default: the variant's own (else 'full'): the kernel's preemption model */
  preempt?: PreemptModel;
  /** default 5000: steps after which a run is reported as a livelock */
  maxSteps?: number;
  /** default []: extra invariants checked with the protocol's own */
  invariants?: Invariant[];
  /** default true: after fast-check's shrinking, drop preemptions by replay */
  minimize?: boolean;
  /**
   * default true: shrink the first failing run (fast-check, then the replay minimizer). false:
   * report it as found, which is what detection measurements (runs to the first failure) need
   */
  shrink?: boolean;
  /** default none: called as runs complete */
  onProgress?: (runsDone: number, runsTotal: number) => void;
}

export type ResolvedOptions = Required<Omit<CheckOptions, 'variant' | 'onProgress' | 'timeLimit' | 'preempt' | 'registry'>> & {
  registry: Registry | undefined;
  variant: string | undefined;
  /** undefined: the variant's own model */
  preempt: PreemptModel | undefined;
  timeLimit: number | undefined;
  onProgress: CheckOptions['onProgress'];
  /** environment variables that overrode an option, for the report */
  envOverrides: string[];
  /** runs and the time limit come from DEFAULT_BUDGET (the user gave neither) */
  budget: boolean;
};

/**
 * What a sampled check spends when neither runs nor a time limit is given: it stops at the first
 * counterexample, so a buggy variant costs what its bug costs, a correct one the whole budget.
 * A number of runs first (the same seed covers the same runs on any machine), with a time cap for
 * slow models: 10 s was too little for the pasid model, whose runs are long (about 130 steps),
 * to find its narrow interrupt windows on 19 of 20 seeds (BENCHMARKS.md, pasid); the cap stops
 * only models slower than about 330 runs a second.
 */
export const DEFAULT_BUDGET = { runs: 20_000, seconds: 60 };

export class BadInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadInput';
  }
}

function envInt(name: string, envOverrides: string[]): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new BadInput(`${name}=${raw} is not an integer`);
  envOverrides.push(`${name}=${raw}`);
  return n;
}

function positive(name: string, v: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new BadInput(`${name} must be an integer from ${min} to ${max}, got ${v}`);
  }
  return v;
}

export const PREEMPT_MODELS = ['none', 'voluntary', 'full', 'rt'] as const satisfies readonly PreemptModel[];

function preemptModel(m: PreemptModel | undefined): PreemptModel | undefined {
  if (m !== undefined && !PREEMPT_MODELS.includes(m)) throw new BadInput(`preemption model must be one of ${PREEMPT_MODELS.join(', ')}, got '${m}'`);
  return m;
}

export function resolveOptions(o: CheckOptions): ResolvedOptions {
  const envOverrides: string[] = [];
  const seed = envInt('KCHECK_SEED', envOverrides) ?? o.seed ?? ((Date.now() ^ (Math.random() * 0x7fffffff)) | 0);
  const strategy = o.strategy ?? 'portfolio';
  if (!STRATEGIES.includes(strategy)) throw new BadInput(`strategy must be one of ${STRATEGIES.join(', ')}, got '${strategy}'`);
  const envRuns = envInt('KCHECK_RUNS', envOverrides);
  const budget = !isExhaustive(strategy) && envRuns === undefined && o.runs === undefined && o.timeLimit === undefined;
  const runs = envRuns ?? o.runs ?? (isExhaustive(strategy) ? 1 : DEFAULT_BUDGET.runs);
  if (o.timeLimit !== undefined && !(o.timeLimit > 0)) throw new BadInput(`time limit must be a positive number of seconds, got ${o.timeLimit}`);
  for (const [k, v] of Object.entries(o.params ?? {})) if (!Number.isInteger(v)) throw new BadInput(`parameter ${k} must be an integer, got ${v}`);
  return {
    protocol: o.protocol,
    registry: o.registry,
    sources: o.sources ?? [],
    variant: o.variant,
    runs: positive('runs', runs),
    strategy,
    depth: positive('depth', o.depth ?? 3, 1, 16),
    maxStates: positive('max states', o.maxStates ?? 200_000),
    reduction: o.reduction ?? false,
    coverage: o.coverage ?? false,
    seed: positive('seed', seed, -0x80000000, 0x7fffffff),
    cpus: positive('cpus', o.cpus ?? 2, 1, MAX_CPUS),
    ops: positive('ops', o.ops ?? 6, 1, 64),
    timeLimit: budget ? DEFAULT_BUDGET.seconds : o.timeLimit,
    swarm: o.swarm ?? true,
    params: o.params ?? {},
    maxPreemptions: o.maxPreemptions === undefined ? (isExhaustive(strategy) ? 2 : Infinity) : positive('max preemptions', o.maxPreemptions, 0, 64),
    maxEnvSteps: positive('max environment steps', o.maxEnvSteps ?? 32, 0, 10_000),
    preempt: preemptModel(o.preempt),
    maxSteps: positive('max steps', o.maxSteps ?? 5000, 10),
    invariants: o.invariants ?? [],
    minimize: o.minimize ?? true,
    shrink: o.shrink ?? true,
    onProgress: o.onProgress,
    envOverrides,
    budget,
  };
}
