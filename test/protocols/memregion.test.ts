/**
 * The memregion protocol end to end through check(): every correct variant holds, every known bug
 * and mutant is caught by the invariant its variant names, with a short counterexample that shows
 * the cache lines and the event that made them stale, and that replays.
 */
import { describe, expect, test } from 'vitest';
import { asExpected, check, replay } from '../../src/index.js';
import { memregionInvariants } from '../../properties/memregion-invariants.js';
import { memregionVariants } from '../../properties/memregion-variants.js';
import { replayable } from '../helpers/report.js';

const SEED = 1;
const CORRECT_RUNS = 1_000;
const BUGGY = { runs: 20_000, timeLimit: 60 };
/** the longest shrunk counterexample with SEED: an overwrite, a too-early invalidation, the completion poll (M-E3, 38 steps) */
const MAX_STEPS = 60;
const STALE = new Set(['memregion/E-INV1-no-stale-load', 'memregion/E-INV2-no-stale-writeback']);

const correct = memregionVariants.filter((v) => !v.buggy);
const buggy = memregionVariants.filter((v) => v.buggy);

describe('memregion variants are well formed', () => {
  const names = new Set(memregionInvariants.map((i) => i.name));
  test('unique names; every E.5 mutant and E.4 bug has a variant', () => {
    expect(new Set(memregionVariants.map((v) => v.name)).size).toBe(memregionVariants.length);
    for (const m of ['M-E1', 'M-E2', 'M-E3', 'M-E4', 'M-E5', 'M-E6']) expect(buggy.map((v) => v.name)).toContain(m);
    for (const s of ['pre-memregion-kvm', 'region-driver-as-posted', 'd18bc74aced6']) expect(buggy.map((v) => v.name)).toContain(s);
  });
  test.each(buggy)('$name expects invariants that exist', (v) => {
    for (const inv of [v.expect!, ...(v.alsoCaughtBy ?? [])]) expect(names.has(inv) || inv.startsWith('kernel/')).toBe(true);
  });
});

describe.each(correct)('correct variant $name', (v) => {
  test(`holds for ${CORRECT_RUNS} runs with seeds ${SEED} and 7`, () => {
    for (const seed of [SEED, 7]) {
      const r = check({ protocol: 'memregion', variant: v.name, runs: CORRECT_RUNS, seed });
      expect(r.ok ? 'holds' : `${r.failure.invariant}: ${r.failure.message} (replay ${r.token})`).toBe('holds');
      expect(r.stats.counters['ops']).toBeGreaterThan(CORRECT_RUNS); // the runs do real work
    }
  });
});

describe.each(buggy)('buggy variant $name', (v) => {
  const r = check({ protocol: 'memregion', variant: v.name, seed: SEED, ...BUGGY });

  test(`is caught by ${[v.expect, ...(v.alsoCaughtBy ?? [])].join(' or ')}`, () => {
    if (r.ok) throw new Error(`not caught in ${r.stats.runs} runs`);
    expect(asExpected(v, r.failure.invariant), r.failure.invariant).toBe(true);
  });

  test(`has a counterexample of at most ${MAX_STEPS} steps that replays`, () => {
    if (r.ok) throw new Error('no counterexample');
    expect(r.steps).toBeLessThanOrEqual(MAX_STEPS);
    const again = replay(r.token);
    if (again.ok) throw new Error('replay holds');
    expect(again.diverged).toBe(false);
    expect(replayable(again)).toEqual(replayable(r));
  });

  test('a stale-data counterexample shows the cache line and the media-changing event', () => {
    if (r.ok) throw new Error('no counterexample');
    if (!STALE.has(r.failure.invariant)) return;
    const changes = r.trace.flatMap((s) => s.changes);
    expect(changes.some((c) => /^cpu\d\.cache: /.test(c))).toBe(true);
    expect(r.trace.some((s) => s.spec.some((e) => e.startsWith('MEDIA')))).toBe(true);
  });
});
