/**
 * The kmap protocol end to end through check(): every correct variant holds, every known bug is
 * caught by the invariant its variant names, with a short counterexample that replays; and the
 * default run (no options but the seed) both finds every bug and reaches the pool-exhaustion paths.
 */
import { describe, expect, test } from 'vitest';
import { asExpected, check, replay } from '../../src/index.js';
import { kmapInvariants } from '../../properties/kmap.js';
import { kmapVariants } from '../../properties/kmap-variants.js';
import { replayable } from '../helpers/report.js';

// Fixed seeds keep failures reproducible.
const SEED = 2;
const CORRECT_RUNS = 1000;

/**
 * Counterexample length bounds, measured with SEED (shrinking stops after 5 s, so a slow machine
 * may keep a few steps more): most bugs shrink to at most 12 steps; a stale translation needs a
 * kmap, a kunmap, a fill on the other CPU and a flush, up to 26 when the flush comes from a wrap;
 * overflowing the local stack (deepNest) needs KM_MAX_IDX = 16 pushes of two steps each, 31 steps.
 */
const MAX_STEPS = 30;
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

  test.each(buggy)('$name expects invariants that exist', (v) => {
    for (const name of [v.expect!, ...(v.alsoCaughtBy ?? [])]) expect(names.has(name) || name.startsWith('kernel/'), name).toBe(true);
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
  // the default run: what `kcheck run kmap --variant V --seed 2` does
  const r = check({ protocol: 'kmap', variant: v.name, seed: SEED });
  const bound = (v.config as { shape: { deepNest: boolean } }).shape.deepNest ? MAX_STEPS_DEEP_NEST : MAX_STEPS;

  test(`is caught by the default run, by ${[v.expect, ...(v.alsoCaughtBy ?? [])].join(' or ')}`, () => {
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(asExpected(v, r.failure.invariant), `${r.failure.invariant}: ${r.failure.message}`).toBe(true);
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

describe('the default exploration reaches the pool-exhaustion paths', () => {
  // the default strategy (portfolio, swarm) for a fixed number of runs, fewer than the default 10 s
  // budget makes even on a loaded machine, so that the test does not depend on the machine's speed.
  // Counters are write-only statistics the kernel model adds to; only the test reads them
  const r = check({ protocol: 'kmap', variant: 'mainline', seed: SEED, runs: 800 });

  test('it holds', () => expect(r.ok).toBe(true));

  test.each([
    ['pkmap_sleep', 'the sleep in map_new_virtual() when no slot is free'],
    ['pkmap_wakeup', 'the wake_up() in kunmap_high() of a sleeper'],
    ['pkmap_mapped_meanwhile', 'the re-check after the sleep finding the page mapped by someone else'],
    ['tlb_flush', 'flush_all_zero_pkmaps() flushing'],
    ['ipi', 'the flush IPIs'],
  ])('%s: %s', (counter) => {
    expect(r.stats.counters[counter] ?? 0).toBeGreaterThan(0);
  });
});

test('without a variant, check() runs the first correct one', () => {
  const r = check({ protocol: 'kmap', runs: 50, seed: SEED });
  expect(r.variant).toBe(correct[0]!.name);
  expect(r.ok).toBe(true);
});
