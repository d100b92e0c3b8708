/**
 * Worker-thread entry for --workers: runs one block of a check and returns its result (plain
 * data). Functions cannot cross threads, so a user's protocol and invariants travel as the
 * files they came from (with their content hash) and are loaded here, once per worker.
 */
import { loadSources } from '../load.js';
import type { Invariant } from '../protocol.js';
import type { Registry } from '../registry.js';
import { check, type CheckResult } from './check.js';
import type { CheckOptions } from './options.js';
import type { SourceFile } from './token.js';

export interface BlockTask {
  options: Omit<CheckOptions, 'protocol' | 'invariants' | 'onProgress' | 'registry'> & { protocol: string };
  /** the user files the check needs */
  sources: SourceFile[];
}

const loaded = new Map<string, Promise<{ registry: Registry; invariants: Invariant[] }>>();

export default async function runBlock(task: BlockTask): Promise<CheckResult> {
  const key = JSON.stringify(task.sources);
  if (!loaded.has(key)) loaded.set(key, loadSources(task.sources));
  const { registry, invariants } = await loaded.get(key)!;
  const mine = invariants.filter((i) => i.name.split('/')[0] === task.options.protocol);
  return check({ ...task.options, registry, invariants: mine });
}
