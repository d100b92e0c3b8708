/**
 * A proof spread over worker threads, one workload per task: each worker takes the next workload
 * when it is free. Every workload's search is the same as on one thread (its state budget is its
 * own), and the outcomes are taken in the enumeration's order up to the first failing workload,
 * so any number of workers gives the same workloads, states, verdict and counterexample.
 */
import { Tinypool } from 'tinypool';
import type { WorkloadOutcome } from '../explore/prove.js';
import { prove, type ProofCheck, type ProveOptions } from './prove.js';
import type { ProveTask } from './prove-workers-task.js';

export interface ParallelProveOptions extends Omit<ProveOptions, 'invariants'> {
  /** worker threads */
  workers: number;
  /** user invariants, loaded in each worker */
  invariantsFile?: string;
}

export async function proveParallel(o: ParallelProveOptions): Promise<ProofCheck> {
  const { workers, invariantsFile, timeLimit, ...options } = o;
  const pool = new Tinypool({ filename: new URL('./prove-workers-task.js', import.meta.url).href, minThreads: workers, maxThreads: workers });
  // one clock for every thread (performance.now() has a per-thread origin)
  const deadline = o.timeLimit !== undefined ? Date.now() + o.timeLimit * 1000 : undefined;
  try {
    return await prove({ ...options, ...(timeLimit !== undefined ? { timeLimit } : {}) }, async (bound, todo) => {
      let firstFailing = Infinity;
      let next = 0;
      const done: WorkloadOutcome[] = [];
      const lane = async (): Promise<void> => {
        while (next < todo.length) {
          const { index } = todo[next++]!;
          // a workload after one that failed is not part of the proof's result
          if (index > firstFailing || (deadline !== undefined && Date.now() > deadline)) continue;
          const task: ProveTask = { options, index, bound, ...(deadline !== undefined ? { deadline } : {}), ...(invariantsFile ? { invariantsFile } : {}) };
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
