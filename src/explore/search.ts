/**
 * Exhaustive exploration of the first workloads fast-check generates from the seed: each one
 * searched completely (DFS or BFS) within the preemption bound, until a violation, the state
 * budget, or the last workload.
 */
import * as fc from 'fast-check';
import type { ExecOptions } from '../engine/engine.js';
import type { Execution } from '../engine/result.js';
import type { Protocol, Variant } from '../protocol.js';
import { bfs } from './bfs.js';
import { dfs } from './dfs.js';

/** What a green exhaustive run established, and what the search cost. */
export interface ExhaustiveStats {
  kind: 'dfs' | 'bfs';
  preemptionBound: number;
  reduction: boolean;
  /** workloads whose every interleaving within the bound was explored */
  completeWorkloads: number;
  workloads: number;
  states: number;
  transitions: number;
  executions: number;
  /** engine steps over all executions */
  steps: number;
  /** distinct states per second of search */
  statesPerSec: number;
  /** why the search ended before every workload was explored completely */
  stoppedBy?: 'max-states' | 'time-limit';
  /** the workloads explored, as the report prints them (one list of lines each), at most MAX_LISTED */
  explored: string[][];
}

/** workloads listed by name in a report (the count says how many there were) */
const MAX_LISTED = 20;

export interface SearchResult {
  stats: ExhaustiveStats;
  failing: { workload: unknown; execution: Execution } | null;
}

export function search(protocol: Protocol, variant: Variant, workloads: fc.Arbitrary<unknown>, exec: ExecOptions,
  o: { kind: 'dfs' | 'bfs'; runs: number; seed: number; maxStates: number; reduction: boolean; deadline?: number }): SearchResult {
  const t0 = performance.now();
  const stats: ExhaustiveStats = {
    kind: o.kind, preemptionBound: exec.maxPreemptions, reduction: o.kind === 'dfs' && o.reduction,
    completeWorkloads: 0, workloads: 0, states: 0, transitions: 0, executions: 0, steps: 0, statesPerSec: 0, explored: [],
  };
  const describe = (wl: unknown) => protocol.describe?.(wl) ?? [JSON.stringify(wl)];
  let failing: SearchResult['failing'] = null;
  for (const wl of fc.sample(workloads, { seed: o.seed, numRuns: o.runs })) {
    const budget = o.maxStates - stats.states;
    if (budget <= 0) { stats.stoppedBy = 'max-states'; break; }
    if (o.deadline !== undefined && performance.now() > o.deadline) { stats.stoppedBy = 'time-limit'; break; }
    const run = o.kind === 'dfs' ? dfs : bfs;
    const r = run(protocol, variant, wl, { exec, maxStates: budget, reduction: o.reduction, ...(o.deadline ? { deadline: o.deadline } : {}) });
    stats.workloads++;
    if (stats.explored.length < MAX_LISTED) stats.explored.push(describe(wl));
    stats.states += r.states;
    stats.transitions += r.transitions;
    stats.executions += r.executions;
    stats.steps += r.steps;
    if (r.complete) stats.completeWorkloads++;
    else if (!r.failure) stats.stoppedBy = r.states >= budget ? 'max-states' : 'time-limit';
    if (r.failure) {
      failing = { workload: wl, execution: r.failure };
      break;
    }
  }
  const s = (performance.now() - t0) / 1000;
  stats.statesPerSec = s > 0 ? Math.round(stats.states / s) : 0;
  return { stats, failing };
}
