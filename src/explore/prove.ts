/**
 * The search behind `kcheck prove`: every workload the protocol's operation alphabet allows
 * within the bounds (Protocol.enumerate), each with every interleaving within the preemption
 * bound, as one search: the workload is the first choice of the tree, as a nondeterministic
 * choice in Promela or a constant in TLA+ would be. Restartable protocols are searched by saving
 * and restoring states (snapshot-dfs.ts), the others by re-executing prefixes with their threads'
 * read histories in the state (dfs.ts), or stateless with dynamic partial-order reduction.
 * Iterative bounding runs bound 0, 1, 2, ... and reports the largest one it completed.
 * Deterministic: the same bounds give the same workloads, states and verdict.
 */
import type { ExecOptions } from '../engine/engine.js';
import type { Execution } from '../engine/result.js';
import type { Protocol, Variant } from '../protocol.js';
import { dfs } from './dfs.js';
import type { ExhaustiveResult } from './exhaustive.js';
import { snapshotDfs } from './snapshot-dfs.js';

export type Reduction = 'none' | 'sleep';

export interface ProofBoundsOptions {
  cpus: number;
  /** operations per program, at most */
  ops: number;
  params: Record<string, number>;
  /** the preemption bound; with `iterative`, the largest bound to reach */
  preemptionBound: number;
  /** bound 0, 1, ... up to preemptionBound, as far as the budget goes */
  iterative: boolean;
  /** states per workload and bound before that workload's search stops, incomplete */
  maxStates: number;
  /** performance.now() after which the proof stops, incomplete */
  deadline?: number;
  reduction: Reduction;
  /** only the workloads whose index i has i mod count = index-1 (a CI matrix's share) */
  shard?: { index: number; count: number };
}

/** What one workload's search (at one bound) found and cost. */
export interface WorkloadOutcome {
  /** index of the workload in the enumeration */
  index: number;
  result: ExhaustiveResult;
}

export interface ProofStats {
  /** the search each workload got */
  search: 'snapshot' | 'replay';
  reduction: Reduction;
  /** workloads in the enumeration (this shard's share) */
  workloads: number;
  /** the largest preemption bound at which every workload was explored completely (null: none) */
  bound: number | null;
  /** the bound the search was at when it ended */
  reached: number;
  /** workloads explored completely at `reached` */
  completeWorkloads: number;
  states: number;
  transitions: number;
  executions: number;
  steps: number;
  timeMs: number;
  stoppedBy?: 'max-states' | 'time-limit';
  /** the workloads, as the report prints them (the first MAX_LISTED) */
  explored: string[][];
}

export interface ProofResult {
  stats: ProofStats;
  failing: { workload: unknown; execution: Execution; bound: number } | null;
}

const MAX_LISTED = 20;

/** The workloads of the proof, in the enumeration's order, with their indices (this shard's only). */
export function proofWorkloads(protocol: Protocol, variant: Variant, o: Pick<ProofBoundsOptions, 'cpus' | 'ops' | 'params' | 'shard'>): { index: number; workload: unknown }[] {
  if (!protocol.enumerate) throw new Error(`internal: ${protocol.name} has no enumerate()`);
  const out: { index: number; workload: unknown }[] = [];
  let i = 0;
  for (const workload of protocol.enumerate({ cpus: o.cpus, ops: o.ops, variant, params: o.params })) {
    if (!o.shard || i % o.shard.count === o.shard.index - 1) out.push({ index: i, workload });
    i++;
  }
  return out;
}

/** One workload's search at one bound. */
export function searchWorkload(protocol: Protocol, variant: Variant, workload: unknown, exec: ExecOptions,
  o: Pick<ProofBoundsOptions, 'maxStates' | 'deadline' | 'reduction'>): ExhaustiveResult {
  const opts = { exec, maxStates: o.maxStates, ...(o.deadline !== undefined ? { deadline: o.deadline } : {}) };
  return protocol.restartable ? snapshotDfs(protocol, variant, workload, opts) : dfs(protocol, variant, workload, { ...opts, reduction: o.reduction === 'sleep' });
}

/**
 * The proof, one workload after the other (check/prove.ts spreads them over workers with the
 * same result): each bound in turn when iterative, stopping at the first violation, the time
 * limit, or when every workload is done at the last bound.
 */
export async function prove(protocol: Protocol, variant: Variant, exec: ExecOptions, o: ProofBoundsOptions,
  run: (bound: number, todo: { index: number; workload: unknown }[]) => WorkloadOutcome[] | Promise<WorkloadOutcome[]> = (bound, todo) => sequential(protocol, variant, exec, o, bound, todo)): Promise<ProofResult> {
  const t0 = performance.now();
  const all = proofWorkloads(protocol, variant, o);
  const stats: ProofStats = {
    search: protocol.restartable ? 'snapshot' : 'replay', reduction: o.reduction, workloads: all.length, bound: null, reached: 0,
    completeWorkloads: 0, states: 0, transitions: 0, executions: 0, steps: 0, timeMs: 0,
    explored: all.slice(0, MAX_LISTED).map((w) => protocol.describe?.(w.workload) ?? [JSON.stringify(w.workload)]),
  };
  let failing: ProofResult['failing'] = null;
  const bounds = o.iterative ? Array.from({ length: o.preemptionBound + 1 }, (_, b) => b) : [o.preemptionBound];
  for (const bound of bounds) {
    stats.reached = bound;
    stats.completeWorkloads = 0;
    const outcomes = await run(bound, all);
    for (const { index, result: r } of outcomes) {
      stats.states += r.states;
      stats.transitions += r.transitions;
      stats.executions += r.executions;
      stats.steps += r.steps;
      if (r.failure) {
        failing = { workload: all.find((w) => w.index === index)!.workload, execution: r.failure, bound };
        break;
      }
      if (r.complete) stats.completeWorkloads++;
      else stats.stoppedBy ??= o.deadline !== undefined && performance.now() > o.deadline ? 'time-limit' : 'max-states';
    }
    if (!failing && outcomes.length < all.length) stats.stoppedBy ??= 'time-limit'; // the deadline came before some workloads began
    if (failing || stats.completeWorkloads < all.length) break;
    stats.bound = bound;
  }
  stats.timeMs = performance.now() - t0;
  return { stats, failing };
}

/**
 * The workloads in order at one bound, up to the first that fails. A workload's search is capped
 * by max-states on its own, so that the same workload gets the same search in any order.
 */
export function sequential(protocol: Protocol, variant: Variant, exec: ExecOptions, o: ProofBoundsOptions, bound: number,
  todo: { index: number; workload: unknown }[]): WorkloadOutcome[] {
  const out: WorkloadOutcome[] = [];
  for (const { index, workload } of todo) {
    if (o.deadline !== undefined && performance.now() > o.deadline) break;
    const result = searchWorkload(protocol, variant, workload, { ...exec, maxPreemptions: bound }, o);
    out.push({ index, result });
    if (result.failure || (!result.complete && o.deadline !== undefined && performance.now() > o.deadline)) break;
  }
  return out;
}
