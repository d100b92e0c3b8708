/**
 * --coverage with --workers/--shard (issue 8 item 10): the check's coverage is the union of what
 * every block covered, not the last block's.
 */
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { check } from '../../../src/check/check.js';
import { mergeCoverage } from '../../../src/check/coverage.js';
import { blockSeed, checkParallel } from '../../../src/check/workers.js';
import { toyProtocol, type ToyExec } from '../../helpers/toy.js';

/** Takes and releases the mutex 0-2 times: blocks whose workloads differ cover different transition pairs. */
const rounds = toyProtocol<Record<string, never>, number>({
  name: 'cov-rounds',
  k: () => ({}),
  workload: fc.integer({ min: 0, max: 2 }),
  tasks: (n) => [{ name: 'A', cpu: 0, *run(x: ToyExec<Record<string, never>>) {
    for (let i = 0; i < n; i++) {
      yield { fn: 'lock', what: 'lock' };
      x.emit({ type: 'LOCK', task: 0 });
      yield { fn: 'unlock', what: 'unlock' };
      x.emit({ type: 'UNLOCK', task: 0 });
    }
  } }],
});

const SEED = 3;
const BLOCKS = 8;

describe('coverage of a check cut into blocks', async () => {
  // blocks run in this thread (workers: 0) go through the same merge as worker threads; random:
  // the portfolio's PCT pilot runs sample other workloads and would cover everything in every block
  const merged = (await checkParallel({ protocol: rounds, strategy: 'random', runs: BLOCKS, blockRuns: 1, seed: SEED, coverage: true })).stats.coverage!;
  const blocks = Array.from({ length: BLOCKS }, (_, b) => check({ protocol: rounds, strategy: 'random', runs: 1, seed: blockSeed(SEED, b), coverage: true }).stats.coverage!);

  test('the blocks differ, and the last one covers less than all together (otherwise this test shows nothing)', () => {
    expect(new Set(blocks.map((c) => c.taken.pairs.join())).size).toBeGreaterThan(1);
    const union = new Set(blocks.flatMap((c) => c.taken.pairs));
    expect(blocks[BLOCKS - 1]!.pairs.covered).toBeLessThan(union.size);
  });

  test('every transition and pair any block took is counted', () => {
    expect(merged.transitions.covered).toBe(new Set(blocks.flatMap((c) => c.taken.transitions)).size);
    expect(merged.pairs.covered).toBe(new Set(blocks.flatMap((c) => c.taken.pairs)).size);
  });

  test('a state is missed only when every block missed it', () => {
    const missedByAll = blocks[0]!.states.missed.filter((s) => blocks.every((c) => c.states.missed.includes(s)));
    expect(merged.states.missed).toEqual(missedByAll);
    expect(merged.states.covered).toBe(merged.states.total - missedByAll.length);
  });

  test('mergeCoverage of one report is that report', () => {
    expect(mergeCoverage([blocks[0]!])).toEqual(blocks[0]);
  });
});
