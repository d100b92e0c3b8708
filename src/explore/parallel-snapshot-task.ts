/**
 * Worker-thread entry of the parallel snapshot search: takes frontier states one at a time from
 * the shared counter and searches below each with the shared visited set, until the frontier is
 * used up, a violation is met (it raises the shared stop flag) or the budget ends.
 */
import type { ExecOptions } from '../engine/engine.js';
import type { Protocol } from '../protocol.js';
import { loadSources } from '../load.js';
import type { SourceFile } from '../check/token.js';
import { findVariant } from '../protocols.js';
import { replay } from './parallel-snapshot.js';
import { SharedVisited } from './shared-visited.js';
import { searchFrom, startEngine } from './snapshot-dfs.js';

/** A protocol by name (built in, or defined by the user files given), or one a module exports (the bench's peer models). */
export type ProtocolRef = { name: string; sources?: SourceFile[] } | { module: string; export: string };

export interface SubtreeTask {
  ref: ProtocolRef;
  variant: string;
  workload: unknown;
  exec: ExecOptions;
  maxStates: number;
  /** Date.now() after which the search stops, incomplete */
  deadline?: number;
  /** the choices that reach each frontier state */
  frontier: number[][];
  visited: SharedArrayBuffer;
  /** Int32: index of the next frontier state to take */
  next: SharedArrayBuffer;
  /** Int32: 1 once a thread met a violation */
  stop: SharedArrayBuffer;
}

export interface SubtreeOutcome { states: number; transitions: number; complete: boolean; failed: boolean; full: boolean }

async function resolve(ref: ProtocolRef): Promise<Protocol> {
  if ('name' in ref) return (await loadSources(ref.sources ?? [])).registry.find(ref.name);
  return (await import(ref.module) as Record<string, Protocol>)[ref.export]!;
}

export default async function searchSubtrees(task: SubtreeTask): Promise<SubtreeOutcome> {
  const protocol = await resolve(task.ref);
  const variant = findVariant(protocol, task.variant);
  const visited = new SharedVisited(task.visited);
  const next = new Int32Array(task.next);
  const stop = new Int32Array(task.stop);
  const deadline = task.deadline !== undefined ? performance.now() + (task.deadline - Date.now()) : undefined;
  const o = { exec: task.exec, maxStates: task.maxStates, ...(deadline !== undefined ? { deadline } : {}) };
  const out: SubtreeOutcome = { states: 0, transitions: 0, complete: true, failed: false, full: false };
  for (let i = Atomics.add(next, 0, 1); i < task.frontier.length; i = Atomics.add(next, 0, 1)) {
    const { engine } = startEngine(protocol, variant, task.workload, o);
    replay(engine, task.frontier[i]!);
    const r = searchFrom(engine, visited, { ...o, maxStates: task.maxStates - out.states }, { expand: true, stop: () => Atomics.load(stop, 0) === 1 });
    out.states += r.states;
    out.transitions += r.transitions;
    if (r.failure) {
      out.failed = true;
      Atomics.store(stop, 0, 1);
    }
    if (!r.complete) {
      out.complete = false;
      break;
    }
  }
  out.full = visited.full;
  return out;
}
