/**
 * How sampled checks draw their runs: swarm testing over the protocol's operation kinds, the
 * user's fixed workload parameters, the default portfolio and budget.
 */
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { check } from '../../../src/check/check.js';
import { BadInput, DEFAULT_BUDGET } from '../../../src/check/options.js';
import type { Protocol, WorkloadOptions } from '../../../src/protocol.js';
import { toyProtocol, type ToyExec } from '../../helpers/toy.js';

type K = { ops: string[]; depth: number };

/**
 * A task runs 8 operations, each 'read' or 'write'; the bug shows only when all 8 are writes
 * (think: a writer starving readers). Drawn uniformly that is 1 workload in 256; a swarm run that
 * drew only the 'write' kind (1 run in 3) always has it.
 */
const base = toyProtocol<K, string[]>({
  name: 'toy-swarm',
  k: (wl) => ({ ops: wl, depth: 0 }),
  tasks: (wl) => [{ name: 'T', cpu: 0, *run(x: ToyExec<K>) { for (const op of wl) { yield { fn: op, what: op }; x.w.k.depth = op === 'write' ? x.w.k.depth + 1 : 0; } } }],
  invariants: [{ name: 'toy-swarm/readers-get-in', description: 'never 8 writes in a row', check: (w) => (w.k.depth >= 8 ? '8 writes in a row' : null) }],
});
const swarmy = {
  ...base,
  operations: ['read', 'write'],
  parameters: [{ name: 'length', description: 'operations per task', min: 1, max: 16 }],
  workload: (o: WorkloadOptions<unknown>) => {
    const kinds = [...(o.kinds ?? new Set(['read', 'write']))];
    return fc.array(fc.constantFrom(...kinds), { minLength: o.params?.length ?? 8, maxLength: o.params?.length ?? 8 });
  },
} as unknown as Protocol;

describe('swarm testing', () => {

  test('a run drawing only the write kind hits at once what uniform mixes hit 1 time in 256', () => {
    const swarm = check({ protocol: swarmy, strategy: 'random', runs: 30, seed: 3 });
    expect(swarm.ok).toBe(false);
    expect(swarm.stats.firstFailureRun).toBeLessThanOrEqual(30);
    const uniform = check({ protocol: swarmy, strategy: 'random', runs: 30, seed: 3, swarm: false });
    expect(uniform.ok).toBe(true);
    expect(uniform.stats.swarm).toBeUndefined();
  });

  test('the report says which kinds the runs drew from', () => {
    const r = check({ protocol: swarmy, strategy: 'random', runs: 5, seed: 3, params: { length: 2 } });
    expect(r.stats.swarm).toEqual(['read', 'write']);
    expect(r.stats.params).toEqual({ length: 2 });
    expect(r.ok).toBe(true); // 2 writes in a row are not 8
  });

  test('parameters: a fixed value reaches the generator; unknown names and values out of range are bad input', () => {
    const r = check({ protocol: swarmy, strategy: 'random', runs: 50, seed: 3, params: { length: 3 } });
    expect(r.ok).toBe(true);
    expect(() => check({ protocol: swarmy, runs: 1, params: { pool: 3 } })).toThrow(BadInput);
    expect(() => check({ protocol: swarmy, runs: 1, params: { pool: 3 } })).toThrow(/unknown parameter 'pool' of toy-swarm \(known: length\)/);
    expect(() => check({ protocol: swarmy, runs: 1, params: { length: 99 } })).toThrow(/must be from 1 to 16/);
  });

  test('the default portfolio mixes random and PCT runs and, with no runs or time limit given, spends the default budget', () => {
    const r = check({ protocol: swarmy, seed: 3, params: { length: 2 }, timeLimit: 1 });
    expect(r.stats.strategy).toBe('portfolio');
    const mix = r.stats.portfolio!;
    expect(mix['random']).toBeGreaterThan(0);
    expect(mix['pct-1']! + mix['pct-2']! + mix['pct-3']!).toBeGreaterThan(0);
    expect(r.stats.budget).toBeUndefined(); // a time limit was given
    // with neither, the check runs on the default budget and stops at the first counterexample
    const d = check({ protocol: swarmy, seed: 3 });
    expect(d.ok).toBe(false);
    expect(d.stats.budget).toEqual(DEFAULT_BUDGET);
    expect(d.stats.runs).toBeLessThan(DEFAULT_BUDGET.runs);
  });
});

describe('shrink: false', () => {
  test('reports the first failing run as found: same run, no shrinking, at least as long as the shrunk one', () => {
    const found = check({ protocol: swarmy, seed: 3, runs: 2000, shrink: false });
    const shrunk = check({ protocol: swarmy, seed: 3, runs: 2000 });
    if (found.ok || shrunk.ok) throw new Error('the bug was not found');
    expect(found.stats.numShrinks).toBe(0);
    expect(found.stats.firstFailureRun).toBe(shrunk.stats.firstFailureRun);
    expect(found.steps).toBeGreaterThanOrEqual(shrunk.steps);
  });
});
