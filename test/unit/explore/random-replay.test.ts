/**
 * The two strategies replay depends on: RandomStrategy always answers in range (so any drawn
 * array is a valid schedule, and 0 past its end keeps the running CPU), and ReplayStrategy
 * reproduces exactly the choices a RandomStrategy took, failing loudly on any mismatch.
 */
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { RandomStrategy } from '../../../src/explore/random.js';
import { ReplayStrategy } from '../../../src/explore/replay.js';
import { ReplayDiverged } from '../../../src/explore/replay.js';

const drawn = fc.array(fc.nat({ max: 0xff }), { maxLength: 30 });
const runnable = fc.array(fc.integer({ min: 2, max: 9 }), { minLength: 1, maxLength: 40 });

describe('RandomStrategy', () => {
  test('answers in [0, n), and 0 once its choices run out', () => {
    fc.assert(fc.property(drawn, runnable, (choices, ns) => {
      const s = new RandomStrategy(choices);
      ns.forEach((n, i) => {
        const c = s.next(n);
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThan(n);
        if (i >= choices.length) expect(c).toBe(0);
        else expect(c).toBe(choices[i]! % n);
      });
    }));
  });
});

describe('ReplayStrategy', () => {
  test('replays the choices a RandomStrategy took against the same program', () => {
    fc.assert(fc.property(drawn, runnable, (choices, ns) => {
      const random = new RandomStrategy(choices);
      const taken = ns.map((n) => random.next(n));
      const replay = new ReplayStrategy(taken);
      expect(ns.map((n) => replay.next(n))).toEqual(taken);
      expect(replay.remaining).toBe(0);
    }));
  });

  test('a choice out of range diverges', () => {
    const s = new ReplayStrategy([1, 3]);
    expect(s.next(2)).toBe(1);
    expect(() => s.next(3)).toThrow(ReplayDiverged);
  });

  test('running out of choices while the program goes on diverges', () => {
    const s = new ReplayStrategy([0]);
    s.next(2);
    expect(() => s.next(2)).toThrow(/schedule ended after 1 choices/);
  });

  test('choices left over are counted', () => {
    const s = new ReplayStrategy([0, 1, 1]);
    s.next(2);
    expect(s.remaining).toBe(2);
  });
});
