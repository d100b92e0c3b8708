/**
 * The PASID protocol end to end through check(): the correct designs hold, every known bug,
 * mutant and finding is caught by a general invariant with a short counterexample that replays.
 * Kernel sequences in pasid-kernel.test.ts, the checks themselves in pasid-checks.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { check, replay } from '../../src/index.js';
import { pasidInvariants } from '../../properties/pasid-invariants.js';
import { pasidVariants } from '../../properties/pasid-variants.js';
import { replayable } from '../helpers/report.js';

const SEED = 1;
const CORRECT_RUNS = 800;
/** runs-only budgets keep the verdicts independent of the machine's load */
const BUGGY = { runs: 30_000 };
/** a livelock is reported when the budget runs out: a small budget keeps the loop readable */
const LIVELOCK_STEPS = 300;
/** the longest minimized counterexample with SEED (two threads, an IPI and an interrupt) */
const MAX_STEPS = 70;
/**
 * variants whose SEED counterexample the minimizer does not bring under MAX_STEPS: the failing
 * schedule was found after ~1500 random runs on a workload of five processes (M-C4: a process
 * that clones, binds, closes and forks, with 17 preemptions), and no smaller
 * workload fails on the old schedule or on the minimizer's few seeded re-searches (a known limit
 * of replay minimization, stated in docs/strategies.md); the bound records where it stands
 */
const LONGER: Record<string, number> = { 'ipi-5.10': 360, 'exec-fpu-drop': 170, 'M-C4': 130 };

const correct = pasidVariants.filter((v) => !v.buggy);
const buggy = pasidVariants.filter((v) => v.buggy);
const livelock = (v: { expect?: string }) => v.expect === 'kernel/progress';

describe('pasid variants are well formed', () => {
  const names = new Set(pasidInvariants.map((i) => i.name));
  test('every design of C.0 has a variant, names are unique', () => {
    const designs = new Set(pasidVariants.map((v) => v.config.design));
    expect([...designs].sort()).toEqual(['ANDY-2020', 'IPI-5.10', 'LAZY-2020', 'MM-LIFETIME-5.18', 'REFCNT-2021']);
    expect(new Set(pasidVariants.map((v) => v.name)).size).toBe(pasidVariants.length);
  });
  test.each(buggy)('$name expects invariants that exist', (v) => {
    for (const inv of [v.expect!, ...(v.alsoCaughtBy ?? [])]) expect(names.has(inv) || inv.startsWith('kernel/')).toBe(true);
  });
});

describe.each(correct)('correct variant $name', (v) => {
  test.each([SEED, 7])(`holds for ${CORRECT_RUNS} runs with seed %i`, (seed) => {
    const r = check({ protocol: 'pasid', variant: v.name, runs: CORRECT_RUNS, seed });
    expect(r.ok ? 'holds' : `${r.failure.invariant}: ${r.failure.message} (replay ${r.token})`).toBe('holds');
    expect(r.stats.counters['enqcmd']).toBeGreaterThan(CORRECT_RUNS / 10); // descriptors really reach the device
  });
});

describe.each(buggy)('buggy variant $name', (v) => {
  const r = check({ protocol: 'pasid', variant: v.name, seed: SEED, ...BUGGY, ...(livelock(v) ? { maxSteps: LIVELOCK_STEPS } : {}) });

  test(`is caught by ${v.expect}${v.alsoCaughtBy ? ` (or ${v.alsoCaughtBy.join(', ')})` : ''}`, () => {
    if (r.ok) throw new Error(`not caught in ${r.stats.runs} runs`);
    expect([v.expect, ...(v.alsoCaughtBy ?? [])]).toContain(r.failure.invariant);
  });

  test('has a short counterexample that replays', () => {
    if (r.ok) throw new Error('no counterexample');
    expect(r.steps).toBeLessThanOrEqual(livelock(v) ? LIVELOCK_STEPS : LONGER[v.name] ?? MAX_STEPS);
    const again = replay(r.token);
    if (again.ok) throw new Error('replay holds');
    expect(again.diverged).toBe(false);
    expect(replayable(again)).toEqual(replayable(r));
  });
});
