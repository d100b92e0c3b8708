/**
 * A proof spread over worker threads. A restartable protocol's workloads are searched one after
 * the other, each by every worker at once (parallel-snapshot.ts: subtrees of one state graph,
 * one shared visited set). Otherwise one workload per task: each worker takes the next workload
 * when it is free; every workload's search is the same as on one thread (its state budget is its
 * own), and the outcomes are taken in the enumeration's order up to the first failing workload.
 * Either way any number of workers gives the same workloads, states, verdict and counterexample.
 */
import { Tinypool } from 'tinypool';
import { loadSources } from '../load.js';
import type { WorkloadOutcome } from '../explore/prove.js';
import { boundedExec } from '../explore/prove.js';
import { parallelSnapshotDfs } from '../explore/parallel-snapshot.js';
import { findVariant } from '../registry.js';
import type { SourceFile } from './token.js';
import { proofSetup, prove, type ProofCheck, type ProveOptions } from './prove.js';
import type { ProveTask } from './prove-workers-task.js';

export interface ParallelProveOptions extends Omit<ProveOptions, 'protocol' | 'registry' | 'invariants' | 'sources'> {
  /** a built-in protocol, or one the sources define */
  protocol: string;
  /** worker threads */
  workers: number;
  /** the user files the proof needs (protocol and invariant files), loaded in each worker */
  sources?: SourceFile[];
}

export async function proveParallel(o: ParallelProveOptions): Promise<ProofCheck> {
  const { workers, sources = [], timeLimit, ...options } = o;
  // this thread needs the protocol and invariants too: for the enumeration and the counterexample
  const { registry, invariants: all } = await loadSources(sources);
  const here = { ...options, registry, sources, invariants: all.filter((i) => i.name.split('/')[0] === o.protocol), ...(timeLimit !== undefined ? { timeLimit } : {}) };
  const setup = proofSetup(here);
  if (setup.protocol.restartable) {
    const variant = findVariant(setup.protocol, o.variant);
    return prove(here, async (bound, todo) => {
      const out: WorkloadOutcome[] = [];
      for (const { index, workload } of todo) {
        const result = await parallelSnapshotDfs(setup.protocol, variant, workload, {
          exec: boundedExec(setup.exec, setup.bounds, bound), maxStates: setup.bounds.maxStates, workers, ref: { name: setup.protocol.name, sources },
          ...(setup.bounds.deadline !== undefined ? { deadline: setup.bounds.deadline } : {}),
        });
        out.push({ index, result });
        if (result.failure || !result.complete) break;
      }
      return out;
    });
  }
  const pool = new Tinypool({ filename: new URL('./prove-workers-task.js', import.meta.url).href, minThreads: workers, maxThreads: workers });
  // one clock for every thread (performance.now() has a per-thread origin)
  const deadline = o.timeLimit !== undefined ? Date.now() + o.timeLimit * 1000 : undefined;
  try {
    return await prove(here, async (bound, todo) => {
      let firstFailing = Infinity;
      let next = 0;
      const done: WorkloadOutcome[] = [];
      const lane = async (): Promise<void> => {
        while (next < todo.length) {
          const { index } = todo[next++]!;
          // a workload after one that failed is not part of the proof's result
          if (index > firstFailing || (deadline !== undefined && Date.now() > deadline)) continue;
          const task: ProveTask = { options, index, bound, sources, ...(deadline !== undefined ? { deadline } : {}) };
          const r = await pool.run(task) as WorkloadOutcome;
          done.push(r);
          if (r.result.failure) firstFailing = Math.min(firstFailing, index);
        }
      };
      await Promise.all(Array.from({ length: workers }, lane));
      return done.filter((r) => r.index <= firstFailing).sort((a, b) => a.index - b.index);
    });
  } finally {
    await pool.destroy();
  }
}
