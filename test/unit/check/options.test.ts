/** Options are resolved once: documented defaults, range checks as BadInput, env overrides recorded. */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { BadInput, resolveOptions } from '../../../src/check/options.js';

afterEach(() => { vi.unstubAllEnvs(); });

describe('resolveOptions', () => {
  test('fills the documented defaults', () => {
    vi.stubEnv('KCHECK_SEED', '');
    vi.stubEnv('KCHECK_RUNS', '');
    const o = resolveOptions({ protocol: 'kmap', seed: 5 });
    expect(o).toMatchObject({
      protocol: 'kmap', variant: undefined, strategy: 'portfolio', runs: 20_000, timeLimit: 60, budget: true, seed: 5, cpus: 2, ops: 6,
      maxPreemptions: Infinity, maxEnvSteps: 32, maxSteps: 5000, preempt: undefined, swarm: true, params: {}, minimize: true, invariants: [], envOverrides: [],
    });
    // runs or a time limit given: no default budget
    expect(resolveOptions({ protocol: 'kmap', seed: 5, runs: 100 })).toMatchObject({ runs: 100, timeLimit: undefined, budget: false });
    // exhaustive strategies are bounded by default: the search must end
    expect(resolveOptions({ protocol: 'kmap', seed: 5, strategy: 'dfs' })).toMatchObject({ runs: 1, maxPreemptions: 2 });
  });

  test('without a seed, picks one (a 32-bit integer) so the run can be reproduced', () => {
    vi.stubEnv('KCHECK_SEED', '');
    const { seed } = resolveOptions({ protocol: 'kmap' });
    expect(Number.isInteger(seed)).toBe(true);
    expect(seed).toBe(seed | 0);
  });

  test.each([
    ['runs 0', { runs: 0 }],
    ['cpus 0', { cpus: 0 }],
    ['cpus 65', { cpus: 65 }],
    ['fractional ops', { ops: 1.5 }],
    ['negative preemptions', { maxPreemptions: -1 }],
    ['a tiny step budget', { maxSteps: 5 }],
    ['a negative time limit', { timeLimit: -1 }],
    ['a zero time limit', { timeLimit: 0 }],
  ])('%s is BadInput', (_, bad) => {
    expect(() => resolveOptions({ protocol: 'kmap', seed: 1, ...bad })).toThrow(BadInput);
  });

  test('KCHECK_SEED and KCHECK_RUNS override the options and are reported', () => {
    vi.stubEnv('KCHECK_SEED', '7');
    vi.stubEnv('KCHECK_RUNS', '20');
    const o = resolveOptions({ protocol: 'kmap', seed: 1, runs: 500 });
    expect(o.seed).toBe(7);
    expect(o.runs).toBe(20);
    expect(o.envOverrides).toEqual(['KCHECK_SEED=7', 'KCHECK_RUNS=20']);
  });

  test('a non-integer override is BadInput naming the variable', () => {
    vi.stubEnv('KCHECK_SEED', 'abc');
    expect(() => resolveOptions({ protocol: 'kmap' })).toThrow(/KCHECK_SEED=abc/);
  });
});
