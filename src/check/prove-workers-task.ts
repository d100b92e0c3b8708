/**
 * Worker-thread entry for proofs with --workers: the search of one workload (by its index in the
 * enumeration, which every worker computes the same) at one bound. User protocols and
 * invariants travel as the files they came from: functions cannot cross threads.
 */
import { boundedExec, proofWorkloads, searchWorkload, type WorkloadOutcome } from '../explore/prove.js';
import { loadSources } from '../load.js';
import { findVariant } from '../registry.js';
import { proofSetup } from './prove.js';
import type { ParallelProveOptions } from './prove-workers.js';
import type { SourceFile } from './token.js';

export interface ProveTask {
  options: Omit<ParallelProveOptions, 'workers' | 'sources' | 'timeLimit'>;
  index: number;
  bound: number;
  /** Date.now() after which the search stops, incomplete */
  deadline?: number;
  sources: SourceFile[];
}

/** This worker's enumeration, per proof (the same options give the same workloads in the same order). */
const enumerated = new Map<string, unknown[]>();

export default async function proveWorkload(task: ProveTask): Promise<WorkloadOutcome> {
  const { registry, invariants: all } = await loadSources(task.sources);
  const invariants = all.filter((i) => i.name.split('/')[0] === task.options.protocol);
  const { protocol, bounds, exec } = proofSetup({ ...task.options, registry, invariants });
  const variant = findVariant(protocol, task.options.variant);
  const key = JSON.stringify([task.options.protocol, variant.name, bounds.cpus, bounds.ops, bounds.params]);
  if (!enumerated.has(key)) enumerated.set(key, proofWorkloads(protocol, variant, { ...bounds, shard: undefined }).map((w) => w.workload));
  const workload = enumerated.get(key)![task.index];
  const deadline = task.deadline !== undefined ? performance.now() + (task.deadline - Date.now()) : undefined;
  return { index: task.index, result: searchWorkload(protocol, variant, workload, boundedExec(exec, bounds, task.bound), { ...bounds, ...(deadline !== undefined ? { deadline } : {}) }) };
}
