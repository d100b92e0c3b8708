/**
 * Worker-thread entry for --workers: runs one block of a check and returns its result (plain
 * data). User invariants travel as a file name and are loaded here: functions cannot cross
 * threads.
 */
import { loadInvariants } from '../cli/load-invariants.js';
import { check, type CheckResult } from './check.js';
import type { CheckOptions } from './options.js';

export interface BlockTask {
  options: Omit<CheckOptions, 'invariants' | 'onProgress'>;
  invariantsFile?: string;
}

export default async function runBlock(task: BlockTask): Promise<CheckResult> {
  const all = task.invariantsFile ? await loadInvariants(task.invariantsFile) : [];
  const invariants = all.filter((i) => i.name.split('/')[0] === task.options.protocol);
  return check({ ...task.options, invariants });
}
