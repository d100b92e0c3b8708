/**
 * kcheck/vitest (issue 11): test.check and test.counterexample register real vitest tests; a
 * failing check's message is the rendered counterexample with its replay command.
 */
import { describe, expect } from 'vitest';
import { counterexample, holds, it, test } from '../../src/vitest.js';
import { toyProtocol, variant, type ToyExec } from '../helpers/toy.js';

/** Two tasks add 1 to a counter: atomically, or read then write (a lost update). */
const counter = toyProtocol<{ v: number; atomic: boolean }>({
  name: 'vt-counter',
  k: (_, v) => ({ v: 0, atomic: !v.buggy }),
  variants: [variant('atomic'), variant('racy', true, {}, 'vt-counter/count')],
  invariants: [{ name: 'vt-counter/count', description: 'both increments land', final: true, check: (w) => (w.k.v === 2 ? null : `v = ${w.k.v}`) }],
  tasks: () => [0, 1].map((cpu) => ({ name: 'AB'[cpu]!, cpu, *run(x: ToyExec<{ v: number; atomic: boolean }>) {
    yield { fn: 'inc', what: 'read v' };
    const v = x.w.k.v;
    if (!x.w.k.atomic) yield { fn: 'inc', what: `v = ${v} + 1` };
    x.w.k.v = v + 1;
  } })),
});

describe('test.check and test.counterexample', () => {
  test.check({ protocol: counter, variant: 'atomic', runs: 200, seed: 1 })('the atomic counter holds', (r) => {
    expect(r.stats.runs).toBe(200);
  });

  it.counterexample({ protocol: counter, variant: 'racy', runs: 200, seed: 1 })('the racy counter loses an update', (cx) => {
    expect(cx.failure.invariant).toBe('vt-counter/count');
  });

  // vitest's own API is still there
  test.skip('test.skip still skips', () => { throw new Error('not run'); });
});

describe('the failure message', () => {
  test('is the rendered counterexample with its replay command', () => {
    let message = '';
    try {
      holds({ protocol: counter, variant: 'racy', runs: 200, seed: 1 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('✗ vt-counter/count violated');
    expect(message).toMatch(/replay: npx kcheck replay kc3\.[A-Za-z0-9_-]+/);
  });

  test('a check that finds no counterexample where one was expected says what it established', () => {
    expect(() => counterexample({ protocol: counter, variant: 'atomic', runs: 50, seed: 1 })).toThrow(/expected a counterexample, found none:\n✓ vt-counter\/atomic: no violation in 50 runs/);
  });

  test('an incomplete exhaustive search fails: it proved nothing', () => {
    expect(() => holds({ protocol: 'kmap', variant: 'mainline', strategy: 'bfs', maxStates: 5, seed: 1 })).toThrow(/incomplete, stopped by --max-states/);
  });
});
