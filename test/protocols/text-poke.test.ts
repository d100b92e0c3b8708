/**
 * The text-poke protocol end to end through check(): every correct design holds, every known bug
 * and mutant is caught by its invariant with a short counterexample that replays exactly; the
 * lazy-TLB race (Juergen Gross) and the deferred flush of the 5.2 design read as in the kernel.
 */
import { describe, expect, test } from 'vitest';
import { check, replay } from '../../src/index.js';
import { execute } from '../../src/engine/engine.js';
import { RandomStrategy } from '../../src/explore/random.js';
import { findProtocol, findVariant } from '../../src/protocols.js';
import { textPokeInvariants } from '../../properties/text-poke-invariants.js';
import { textPokeVariants } from '../../properties/text-poke-variants.js';
import type { TextPokeWorkload } from '../../properties/text-poke-workload.js';
import { replayable } from '../helpers/report.js';

const SEED = 1;
const CORRECT_RUNS = 800;
/** the longest shrunk counterexample with SEED (5.19-zero-gen: reclaim, two threads, an IPI) */
const MAX_STEPS = 40;

const correct = textPokeVariants.filter((v) => !v.buggy);
const buggy = textPokeVariants.filter((v) => v.buggy);

describe('text-poke variants are well formed', () => {
  const names = new Set(textPokeInvariants.map((i) => i.name));
  test('names are unique, every buggy variant expects invariants that exist', () => {
    expect(new Set(textPokeVariants.map((v) => v.name)).size).toBe(textPokeVariants.length);
    for (const v of buggy) for (const inv of [v.expect!, ...(v.alsoCaughtBy ?? [])]) expect(names.has(inv) || inv.startsWith('kernel/')).toBe(true);
  });
  test('every design of the history has a variant, with PTI on and off', () => {
    const designs = new Set(textPokeVariants.map((v) => `${v.config.design}/${v.config.X86_FEATURE_PTI}`));
    for (const d of ['fixmap', 'v1', 'temporary-mm']) for (const pti of [true, false]) expect(designs.has(`${d}/${pti}`)).toBe(true);
  });
});

describe.each(correct)('correct variant $name', (v) => {
  test(`holds for ${CORRECT_RUNS} runs`, () => {
    const r = check({ protocol: 'text-poke', variant: v.name, runs: CORRECT_RUNS, seed: SEED });
    expect(r.ok ? 'holds' : `${r.failure.invariant}: ${r.failure.message} (replay ${r.token})`).toBe('holds');
    expect(r.stats.counters['ops']).toBeGreaterThan(CORRECT_RUNS); // the workloads really poke, store and unmap
  });
});

describe.each(buggy)('buggy variant $name', (v) => {
  const r = check({ protocol: 'text-poke', variant: v.name, seed: SEED });

  test(`is caught by ${v.expect}${v.alsoCaughtBy ? ` (or ${v.alsoCaughtBy.join(', ')})` : ''}`, () => {
    if (r.ok) throw new Error(`not caught in ${r.stats.runs} runs`);
    expect([v.expect, ...(v.alsoCaughtBy ?? [])]).toContain(r.failure.invariant);
  });

  test('has a short counterexample that replays', () => {
    if (r.ok) throw new Error('no counterexample');
    expect(r.steps).toBeLessThanOrEqual(MAX_STEPS);
    const again = replay(r.token);
    if (again.ok) throw new Error('replay holds');
    expect(again.diverged).toBe(false);
    expect(replayable(again)).toEqual(replayable(r));
  });
});

/** Runs one workload with no preemption and no speculative fill (every choice "keep running"). */
function straight(variant: string, wl: TextPokeWorkload, cpus = 2) {
  const p = findProtocol('text-poke');
  return execute(p, findVariant(p, variant), wl, new RandomStrategy([]), { cpus, maxSteps: 600, maxPreemptions: 0, maxEnvSteps: 0, trace: true });
}
const fns = (r: ReturnType<typeof straight>) => r.trace!.map((s) => `${s.fn}: ${s.what}`);

describe('the lazy-TLB race (Juergen Gross, <20201009144225.12019-1-jgross@suse.com>)', () => {
  test('5.2: a kernel thread pokes while lazy, and its lazily held mm comes back non-lazy (D-INV4)', () => {
    const r = check({ protocol: 'text-poke', variant: '5.2', seed: SEED });
    if (r.ok) throw new Error('not caught');
    expect(r.failure.invariant).toBe('text-poke/D-INV4-restore');
    expect(r.failure.message).toMatch(/lazily held mm reinstated non-lazily|which exit_mmap\(\) freed/);
    expect(r.trace.some((s) => s.changes.some((c) => / lazy → /.test(c) && c.startsWith('cpu')))).toBe(true);
  });

  test('5.10: use_temporary_mm() leaves lazy mode first (leave_mm() runs) and holds', () => {
    const r = check({ protocol: 'text-poke', variant: '5.10', seed: SEED, runs: 300 });
    expect(r.ok).toBe(true);
    expect(r.stats.counters['leave_mm']).toBeGreaterThan(0);
  });
});

test('5.10 defers the poking_mm flush: flush_tlb_mm_range() only bumps tlb_gen, the next load of poking_mm flushes', () => {
  const wl: TextPokeWorkload = { kaslr: 0, procs: [{ cpu: 0, ops: [['poke', 0, false], ['poke', 1, false]] }], kthreads: [], irqs: [] };
  const r = straight('5.10', wl, 1);
  expect(r.failure).toBeNull();
  const f = fns(r);
  const incs = f.filter((s) => s === 'flush_tlb_mm_range: inc_mm_tlb_gen(mm1)').length;
  expect(incs).toBe(2);
  expect(f.some((s) => s.startsWith('flush_tlb_func: flush mm1'))).toBe(false); // poking_mm is loaded nowhere: no local flush, no IPI
  expect(r.counters['ipi'] ?? 0).toBe(0);
  // the second poke finds its ASID slot one generation behind: CR3 is loaded without NOFLUSH
  expect(f.filter((s) => s.startsWith('load_new_mm_cr3: CR3 = mm1')).map((s) => s.includes('NOFLUSH'))).toEqual([false, false]);
});

test('M-D2: without the generation bump, the cached alias of the first poke outlives it in a slot that will not flush', () => {
  const wl: TextPokeWorkload = { kaslr: 0, procs: [{ cpu: 0, ops: [['poke', 0, false], ['poke', 1, false]] }], kthreads: [], irqs: [] };
  const r = straight('M-D2-no-inc-gen', wl, 1);
  expect(r.failure?.invariant).toBe('text-poke/D-INV2-no-stale-alias');
  expect(r.failure?.message).toMatch(/cpu0 caches 0x4000 → p100 .* its next use will not flush/);
});

test("Andy's argument as a cost: INVPCID_SINGLE flushes the user PCID at once, the deferred path at the next return to user", () => {
  const wl: TextPokeWorkload = { kaslr: 0, procs: [{ cpu: 0, ops: [['store', 0], ['munmap', 0], ['store', 0]] }], kthreads: [], irqs: [] };
  const withInvpcid = straight('5.10', wl, 1);
  const deferred = straight('5.10-no-invpcid', wl, 1);
  expect(withInvpcid.failure).toBeNull();
  expect(deferred.failure).toBeNull();
  expect(withInvpcid.counters['invpcid']).toBe(1);
  expect(deferred.counters['invpcid'] ?? 0).toBe(0);
  expect(deferred.counters['tlb-flush-full']).toBe((withInvpcid.counters['tlb-flush-full'] ?? 0) + 1);
});
