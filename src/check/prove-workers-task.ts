/**
 * Worker-thread entry for proofs with --workers: the search of one workload (by its index in the
 * enumeration, which every worker computes the same) at one bound. User invariants travel as a
 * file name: functions cannot cross threads.
 */
import { loadInvariants } from '../cli/load-invariants.js';
import { proofWorkloads, searchWorkload, type WorkloadOutcome } from '../explore/prove.js';
import { findVariant } from '../protocols.js';
import { proofSetup, type ProveOptions } from './prove.js';

export interface ProveTask {
  options: Omit<ProveOptions, 'invariants' | 'timeLimit'>;
  index: number;
  bound: number;
  /** Date.now() after which the search stops, incomplete */
  deadline?: number;
  invariantsFile?: string;
}

/** This worker's enumeration, per proof (the same options give the same workloads in the same order). */
const enumerated = new Map<string, unknown[]>();

export default async function proveWorkload(task: ProveTask): Promise<WorkloadOutcome> {
  const all = task.invariantsFile ? await loadInvariants(task.invariantsFile) : [];
  const invariants = all.filter((i) => i.name.split('/')[0] === task.options.protocol);
  const { protocol, bounds, exec } = proofSetup({ ...task.options, invariants });
  const variant = findVariant(protocol, task.options.variant);
  const key = JSON.stringify([task.options.protocol, variant.name, bounds.cpus, bounds.ops, bounds.params]);
  if (!enumerated.has(key)) enumerated.set(key, proofWorkloads(protocol, variant, { ...bounds, shard: undefined }).map((w) => w.workload));
  const workload = enumerated.get(key)![task.index];
  const deadline = task.deadline !== undefined ? performance.now() + (task.deadline - Date.now()) : undefined;
  return { index: task.index, result: searchWorkload(protocol, variant, workload, { ...exec, maxPreemptions: task.bound }, { ...bounds, ...(deadline !== undefined ? { deadline } : {}) }) };
}
