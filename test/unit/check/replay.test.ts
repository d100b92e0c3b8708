/**
 * Replay round trip from the structured result: check() finds a counterexample, replay(token)
 * re-executes it to the same failure and the same rendered report; a token whose schedule no
 * longer fits the program says so (diverged) instead of silently replaying something else.
 */
import { describe, expect, test } from 'vitest';
import { check, decodeToken, encodeToken, replay, type CheckResult } from '../../../src/index.js';
import { rendered, replayable } from '../../helpers/report.js';

type Failed = Extract<CheckResult, { ok: false }>;

function failing(variant: string, seed = 2): Failed {
  const r = check({ protocol: 'kmap', variant, runs: 2000, seed });
  if (r.ok) throw new Error(`kmap/${variant} was expected to fail with seed ${seed}`);
  return r;
}

// one of each failure kind the kmap variants produce
const cases = [
  { variant: 'M-B5', kind: 'invariant', seed: 2 },
  { variant: 'M-B3', kind: 'spec-refused', seed: 2 },
  { variant: 'nested-kmap-deadlock', kind: 'deadlock', seed: 1 },
] as const;

describe.each(cases)('replay of kmap/$variant ($kind)', ({ variant, kind, seed }) => {
  const r = failing(variant, seed);

  test('the check found the failure kind this case is about', () => {
    expect(r.failure.kind).toBe(kind);
  });

  test('replay(token) gives the same failure, step and rendered report', () => {
    const again = replay(r.token);
    expect(again.ok).toBe(false);
    if (again.ok) return;
    expect(again.diverged).toBe(false);
    expect(again.verdict).toBe('counterexample');
    expect(replayable(again)).toEqual(replayable(r));
    expect(again.token).toBe(r.token);
  });

  test('the report names the invariant and the replay command', () => {
    const text = rendered(r);
    expect(text).toContain(`✗ ${r.failure.invariant} violated`);
    expect(text).toContain(`kcheck replay ${r.token}`);
  });
});

describe('a token whose schedule no longer fits', () => {
  const r = failing('M-B5');
  const scenario = decodeToken(r.token);
  // the program as it might look after the code changed: the failing task twice, on two CPUs,
  // so that there are scheduling choices the recorded schedule has to answer
  const workload = scenario.workload as { tasks: { cpu: number }[] };
  const changed = { ...scenario, workload: { ...workload, tasks: [workload.tasks[0]!, { ...workload.tasks[0]!, cpu: 1 }] } };

  test('a choice out of range is reported as diverged', () => {
    // 255 is never a valid index among the few runnable choices of a kmap workload
    expect(replay(encodeToken({ ...changed, choices: [255] })).diverged).toBe(true);
  });

  test('a schedule that ends while the program still has choices is reported as diverged', () => {
    expect(replay(encodeToken({ ...changed, choices: [] })).diverged).toBe(true);
  });

  // issue 8 item 7: a diverged replay that finds nothing shows nothing; it is never ok
  test('a diverged replay that finds no failure is the verdict "diverged", not ok', () => {
    const r = replay(encodeToken({ ...changed, variant: 'mainline', choices: [] }));
    expect(r).toMatchObject({ ok: false, verdict: 'diverged', diverged: true, divergence: expect.stringContaining('the schedule ended') });
  });

  test('a diverged replay that still fails is a counterexample that says it diverged', () => {
    // four switches to the other task, then the schedule ends: the lenient rest still reuses the slot unflushed
    const r = replay(encodeToken({ ...changed, choices: [1, 1, 1, 1] }));
    expect(r).toMatchObject({ ok: false, verdict: 'counterexample', diverged: true });
  });

  test('the original token does not diverge', () => {
    expect(replay(r.token).diverged).toBe(false);
  });
});
