/**
 * The kmap protocol end to end through check(): every correct variant holds, every known bug is
 * caught by the invariant its variant names, with a short counterexample that replays.
 */
import { describe, expect, test } from 'vitest';
import { asExpected, check, replay } from '../../src/index.js';
import { kmapInvariants } from '../../properties/kmap.js';
import { kmapVariants } from '../../properties/kmap-variants.js';
import { replayable } from '../helpers/report.js';

// Fixed seeds keep failures reproducible. Seed 2 finds every bug through its expected invariant
// (with seed 1, M-B1's search first meets an empty-stack pop, which BUG()s before B-INV3 fires).
const SEED = 2;
const CORRECT_RUNS = 10_000;
const BUGGY_RUNS = 5_000;

/**
 * Counterexample length bounds, measured with SEED: most bugs need at most 18 steps (the
 * deadlock: two tasks each holding one pkmap slot and asking for a second). Overflowing the
 * local stack (deepNest) needs KM_MAX_IDX = 16 pushes of two steps each, 31 steps in all.
 */
const MAX_STEPS = 24;
const MAX_STEPS_DEEP_NEST = 40;

const correct = kmapVariants.filter((v) => !v.buggy);
const buggy = kmapVariants.filter((v) => v.buggy);

describe('kmap variants are well formed', () => {
  const names = new Set(kmapInvariants.map((i) => i.name));

  test('there are correct and buggy variants, with unique names', () => {
    expect(correct.length).toBeGreaterThan(0);
    expect(buggy.length).toBeGreaterThan(0);
    expect(new Set(kmapVariants.map((v) => v.name)).size).toBe(kmapVariants.length);
  });

  test.each(buggy)('$name expects an invariant that exists', (v) => {
    expect(v.expect).toBeDefined();
    expect(names.has(v.expect!) || v.expect!.startsWith('kernel/')).toBe(true);
  });
});

describe.each(correct)('correct variant $name', (v) => {
  test(`holds for ${CORRECT_RUNS} runs`, () => {
    const r = check({ protocol: 'kmap', variant: v.name, runs: CORRECT_RUNS, seed: SEED });
    // on failure, show the counterexample rather than `false !== true`
    expect(r.ok ? 'holds' : `${r.failure.invariant}: ${r.failure.message} (replay ${r.token})`).toBe('holds');
    expect(r.stats.runs).toBe(CORRECT_RUNS);
    expect(r.stats.steps).toBeGreaterThan(CORRECT_RUNS); // runs do real work, not empty workloads
  });
});

describe.each(buggy)('buggy variant $name', (v) => {
  const r = check({ protocol: 'kmap', variant: v.name, runs: BUGGY_RUNS, seed: SEED });
  const bound = (v.config as { shape: { deepNest: boolean } }).shape.deepNest ? MAX_STEPS_DEEP_NEST : MAX_STEPS;

  test(`is caught by ${[v.expect, ...(v.alsoCaughtBy ?? [])].join(' or ')}`, () => {
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(asExpected(v, r.failure.invariant), r.failure.invariant).toBe(true);
    expect(r.buggy).toBe(true);
  });

  test(`has a counterexample of at most ${bound} steps`, () => {
    if (r.ok) throw new Error('no counterexample');
    expect(r.steps).toBeLessThanOrEqual(bound);
    expect(r.trace.length).toBeGreaterThan(0);
  });

  test('replays to the same failure', () => {
    if (r.ok) throw new Error('no counterexample');
    const again = replay(r.token);
    expect(again.ok).toBe(false);
    if (again.ok) return;
    expect(again.diverged).toBe(false);
    expect(replayable(again)).toEqual(replayable(r));
  });
});

test('without a variant, check() runs the first correct one', () => {
  const r = check({ protocol: 'kmap', runs: 50, seed: SEED });
  expect(r.variant).toBe(correct[0]!.name);
  expect(r.ok).toBe(true);
});
