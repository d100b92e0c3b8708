/**
 * Exhaustive search of one workload of a restartable protocol over worker threads. This thread
 * walks the state graph breadth-first until it has a frontier of states with choices left
 * (FRONTIER_PER_WORKER per worker); the workers then take frontier states one at a time from a
 * shared counter (the next free worker gets the next subtree) and search below them depth-first,
 * adding states to one visited set shared by every thread. Each state is added, and so expanded,
 * once: the states and transitions of a complete search are the same for any number of workers.
 * Which worker meets a violation first is not: a violation is reported with the counterexample
 * the single-threaded search finds, so the result is the same for any number of workers.
 */
import { Tinypool } from 'tinypool';
import type { Decision } from '../engine/engine.js';
import type { Protocol, Variant } from '../protocol.js';
import type { ExhaustiveOptions, ExhaustiveResult } from './exhaustive.js';
import { SharedVisited } from './shared-visited.js';
import { snapshotDfs, startEngine } from './snapshot-dfs.js';
import type { ProtocolRef, SubtreeTask, SubtreeOutcome } from './parallel-snapshot-task.js';

const FRONTIER_PER_WORKER = 16;

export interface ParallelOptions extends ExhaustiveOptions {
  workers: number;
  /** how a worker finds the protocol (functions cannot cross threads) */
  ref: ProtocolRef;
}

export async function parallelSnapshotDfs(protocol: Protocol, variant: Variant, workload: unknown, o: ParallelOptions): Promise<ExhaustiveResult> {
  const visited = SharedVisited.create(Math.min(o.maxStates, 1 << 26));
  const { engine, failure } = startEngine(protocol, variant, workload, o);
  if (failure) return snapshotDfs(protocol, variant, workload, o);
  let states = 0;
  let transitions = 0;
  // breadth-first to a frontier: each entry is the choices that reach a decision state
  let level: number[][] = [];
  const root = engine.snapshot();
  const walk = (path: number[]): ReturnType<typeof engine.attempt> => engine.attempt(() => {
    for (let d: Decision | null = engine.decide(); ; d = engine.decide()) {
      if (!visited.add(engine.stateHash())) return;
      states++;
      if (!d) {
        engine.finish();
        return;
      }
      if (d.choices.length > 1) {
        level.push(path);
        return;
      }
      engine.take(d, 0);
      transitions++;
    }
  });
  let bad = walk([]);
  const target = FRONTIER_PER_WORKER * o.workers;
  while (!bad && level.length > 0 && level.length < target) {
    const expand = level;
    level = [];
    for (const path of expand) {
      engine.restore(root);
      replay(engine, path);
      const n = engine.decide()!.choices.length;
      for (let pick = 0; pick < n && !bad; pick++) {
        engine.restore(root);
        replay(engine, path);
        engine.take(engine.decide()!, pick);
        transitions++;
        bad = walk([...path, pick]);
      }
      if (bad) break;
    }
  }
  if (bad) return snapshotDfs(protocol, variant, workload, o);
  // the frontier states are added already: the workers expand them
  const pool = new Tinypool({ filename: new URL('./parallel-snapshot-task.js', import.meta.url).href, minThreads: o.workers, maxThreads: o.workers });
  const next = new SharedArrayBuffer(4);
  const stop = new SharedArrayBuffer(4);
  try {
    const task: SubtreeTask = {
      ref: o.ref, variant: variant.name, workload, exec: o.exec, maxStates: o.maxStates, ...(o.deadline !== undefined ? { deadline: Date.now() + (o.deadline - performance.now()) } : {}),
      frontier: level, visited: visited.buffer, next, stop,
    };
    const outcomes = await Promise.all(Array.from({ length: o.workers }, () => pool.run(task) as Promise<SubtreeOutcome>));
    for (const r of outcomes) {
      states += r.states;
      transitions += r.transitions;
    }
    if (outcomes.some((r) => r.failed)) return snapshotDfs(protocol, variant, workload, o);
    const complete = outcomes.every((r) => r.complete) && !outcomes.some((r) => r.full);
    return { states, transitions, executions: 1, steps: transitions, complete, failure: null };
  } finally {
    await pool.destroy();
  }
}

/** Follows decision choices from the current state, taking single choices on the way. */
export function replay(engine: ReturnType<typeof startEngine>['engine'], path: number[]): void {
  for (const pick of path) {
    let d = engine.decide()!;
    while (d.choices.length === 1) {
      engine.take(d, 0);
      d = engine.decide()!;
    }
    engine.take(d, pick);
  }
  for (let d = engine.decide(); d && d.choices.length === 1; d = engine.decide()) engine.take(d, 0);
}
