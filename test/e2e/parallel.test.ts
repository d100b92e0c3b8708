/**
 * Parallel exhaustive search gives the same result for any number of workers: the built modules
 * (worker threads load compiled JavaScript), on the SPIN peer model K1 and its buggy variant.
 */
import { dirname, join } from 'node:path';
import { describe, expect, inject, test } from 'vitest';

const root = join(dirname(inject('kcheckBin')), '..', '..');
const load = async () => ({
  peers: await import(join(root, 'bench', 'peers', 'k1.js')) as typeof import('../../bench/peers/k1.js'),
  par: await import(join(root, 'src', 'explore', 'parallel-snapshot.js')) as typeof import('../../src/explore/parallel-snapshot.js'),
  seq: await import(join(root, 'src', 'explore', 'snapshot-dfs.js')) as typeof import('../../src/explore/snapshot-dfs.js'),
});

describe('parallel snapshot search', () => {
  test('K1 N=3 M=2: 1, 2 and 3 workers find the same states and transitions as one thread', async () => {
    const { peers, par, seq } = await load();
    const p = peers.k1Protocol;
    const o = { exec: { cpus: 3, maxSteps: 100_000, maxPreemptions: Infinity, maxEnvSteps: Infinity, trace: false }, maxStates: 1e6 };
    const one = seq.snapshotDfs(p, p.variants[0]!, { n: 3, m: 2 }, o);
    for (const workers of [1, 2, 3]) {
      const r = await par.parallelSnapshotDfs(p, p.variants[0]!, { n: 3, m: 2 }, { ...o, workers, ref: { module: join(root, 'bench', 'peers', 'k1.js'), export: 'k1Protocol' } });
      expect([r.states, r.transitions, r.complete], `${workers} workers`).toEqual([one.states, one.transitions, true]);
    }
  });

  test('the buggy K1: every worker count reports the single-threaded counterexample', async () => {
    const { peers, par, seq } = await load();
    const p = peers.k1Protocol;
    const v = p.variants[1]!;
    const o = { exec: { cpus: 3, maxSteps: 100_000, maxPreemptions: Infinity, maxEnvSteps: Infinity, trace: false }, maxStates: 1e6 };
    const one = seq.snapshotDfs(p, v, { n: 3, m: 2 }, o);
    for (const workers of [1, 2]) {
      const r = await par.parallelSnapshotDfs(p, v, { n: 3, m: 2 }, { ...o, workers, ref: { module: join(root, 'bench', 'peers', 'k1.js'), export: 'k1Protocol' } });
      expect(r.failure?.choices).toEqual(one.failure?.choices);
      expect(r.failure?.failure?.invariant).toBe('peer-k1/I1-count');
    }
  });
});
