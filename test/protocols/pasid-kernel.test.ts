/**
 * PASID kernel sequences on fixed workloads: the use-after-free in kernel terms, the #GP loop,
 * exec semantics (pasid_activated kept, the fix), the exec FPU invalidation (1f69383b203e), the
 * irq_fpu_usable() rule per version, v6 as posted, the 2020 bind order, two threads closing one
 * fd, SIGSEGV survived in a handler, and compare-before-write.
 */
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { assign, setup as xsetup } from 'xstate';
import { execute } from '../../src/engine/engine.js';
import { dfs } from '../../src/explore/dfs.js';
import { DrawnRandomStrategy, randomInput, RandomStrategy } from '../../src/explore/random.js';
import { findProtocol, findVariant } from '../../src/protocols.js';
import type { Protocol } from '../../src/protocol.js';
import type { PasidWorkload } from '../../properties/pasid-workload.js';

const pasid = findProtocol('pasid');
const wl = (tasks: PasidWorkload['tasks'], irqs: PasidWorkload['irqs'] = []): PasidWorkload => ({ tasks, kthreads: [], irqs });
const exec = { cpus: 2, maxSteps: 600, maxEnvSteps: 0, trace: true } as const;

/** Runs one workload with no preemption at all (every choice "keep running"). */
function straight(variant: string, w: PasidWorkload, p: Protocol = pasid) {
  return execute(p, findVariant(p, variant), w, new RandomStrategy([]), { ...exec, maxPreemptions: 0 });
}

/** The first of `n` random schedules (fixed seed) of `w` that fails, or null. */
function firstFailure(variant: string, w: PasidWorkload, n = 2000) {
  for (const input of fc.sample(randomInput, { seed: 3, numRuns: n })) {
    const r = execute(pasid, findVariant(pasid, variant), w, new DrawnRandomStrategy(input), { ...exec, maxPreemptions: Infinity, trace: false });
    if (r.failure) return r;
  }
  return null;
}

const fns = (r: { trace: { fn: string }[] | null }) => r.trace!.map((s) => s.fn);
/** `want` occurs in `seq` in this order (as a subsequence). */
function order(seq: string[], want: string[]): boolean {
  let at = 0;
  for (const f of want) {
    at = seq.indexOf(f, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

describe('C.4 #7, the PASID use-after-free (2667ed10d9f0)', () => {
  const exitSeq = wl([{ cpu: 0, ops: [['open']] }]);
  const forkSeq = wl([{ cpu: 0, ops: [['open'], ['fork', [['close']]]] }]);

  test.each([['exit', exitSeq], ['fork', forkSeq]] as const)('the %s sequence: exit_mm → __mmput → PASID freed while dev0 still has it programmed', (_, w) => {
    const r = straight('5.18-original', w);
    expect(r.failure?.invariant).toBe('pasid/C-INV2-lifetime');
    expect(r.failure?.message).toBe('dev0 still has PASID 1 programmed for mm0, but the PASID has been freed');
    expect(order(fns(r), ['exit_mm', 'mmput', '__mmput', 'mm_pasid_drop'])).toBe(true);
    // the unbind that would tear the entry down comes later, from exit_task_work() (or the fork child's close)
    expect(fns(r)).not.toContain('intel_svm_unbind_mm');
  });

  test.each([['exit', exitSeq], ['fork', forkSeq]] as const)('the %s sequence holds with the fix (free in __mmdrop)', (_, w) => {
    const r = straight('mainline-exec-clear', w);
    expect(r.failure).toBeNull();
    expect(order(fns(r), ['intel_svm_unbind_mm', '__mmdrop', 'mm_pasid_drop'])).toBe(true);
  });
});

test('M-C1: a malformed ENQCMD loops on #GP; the livelock trace shows the loop', () => {
  const w = wl([{ cpu: 0, ops: [['open'], ['enqcmd-bad']] }]);
  const r = execute(pasid, findVariant(pasid, 'M-C1'), w, new RandomStrategy([]), { ...exec, maxSteps: 400, maxPreemptions: 0 });
  expect(r.failure?.kind).toBe('livelock');
  const tail = fns(r).slice(-30);
  expect(tail.filter((f) => f === 'ENQCMD').length).toBeGreaterThanOrEqual(9);
  expect(tail.filter((f) => f === 'exc_general_protection').length).toBeGreaterThanOrEqual(9);
  // with the activated check the same program ends in SIGSEGV after one fixup
  const fixed = straight('mainline-exec-clear', w);
  expect(fixed.failure).toBeNull();
  expect(fixed.counters['gp']).toBe(2);
});

/**
 * The protocol with a statechart that accepts every event, to watch what the kernel does after a
 * refused one; without C-INV3's comparison of the statechart's record of activations with the
 * World, which this statechart does not keep.
 */
const anything = xsetup({ types: { context: {} as { n: number } } }).createMachine({
  context: { n: 0 }, on: { '*': { actions: assign({ n: ({ context }) => context.n + 1 }) } },
});
const unjudged = { ...pasid, machine: anything, invariants: pasid.invariants.filter((i) => i.name !== 'pasid/C-INV3-fixup') };

describe('exec keeps pasid_activated (docs/pasid.md finding)', () => {
  const w = wl([{ cpu: 0, ops: [['open'], ['enqcmd'], ['exec'], ['open'], ['enqcmd']] }]);

  test('mainline: the statechart refuses an exec child that starts activated (C-INV5)', () => {
    const r = straight('mainline', w);
    expect(r.failure?.invariant).toBe('pasid/C-INV5-inheritance');
    expect(r.trace!.at(-1)!.spec).toEqual(['EXEC(task=A, mm=1, activated=true)']);
  });

  test('mainline: the new image binds, its ENQCMD #GPs, try_fixup_enqcmd_gp() refuses it, SIGSEGV', () => {
    const r = straight('mainline', w, unjudged);
    expect(r.failure?.invariant).toBe('pasid/enqcmd-no-sigsegv');
    expect(order(fns(r), ['ENQCMD', 'exc_general_protection', 'ENQCMD', 'exec_mmap', 'iommu_sva_alloc_pasid', 'ENQCMD', 'exc_general_protection'])).toBe(true);
    expect(r.counters['gp']).toBe(2);
    expect(r.counters['enqcmd']).toBe(1);
  });

  test('with the fix (arch_setup_new_exec() clears it) the new image is fixed up and submits', () => {
    const r = straight('mainline-exec-clear', w);
    expect(r.failure).toBeNull();
    expect(r.counters['enqcmd']).toBe(2);
    expect(r.counters['gp']).toBe(2);
  });
});

test('REFCNT-2021 as posted: has_valid_pasid survives exec, and deactivate_mm() at exit drops a reference the task never took', () => {
  const w = wl([{ cpu: 0, ops: [['open'], ['enqcmd'], ['exec'], ['open']] }]);
  const r = straight('refcnt-2021', w, unjudged);
  expect(r.failure?.invariant).toBe('pasid/C-INV2-lifetime');
  expect(r.failure?.message).toBe('dev0 still has PASID 2 programmed for mm1, but the PASID has been freed');
  expect(order(fns(r), ['exec_mmap', 'pasid_put', 'iommu_sva_alloc_pasid', 'exit_mm', 'pasid_put'])).toBe(true);
});

describe('exec FPU invalidation (1f69383b203e, Fixes 33344368cb08)', () => {
  // A runs on cpu0, execs, is preempted and migrated; cpu0 runs only kernel work meanwhile
  const w: PasidWorkload = { tasks: [{ cpu: 0, ops: [['open'], ['enqcmd'], ['exec'], ['enqcmd']] }, { cpu: 1, ops: [['crypto']] }], kthreads: [{ cpu: 0, mm: 1 }], irqs: [] };

  test('fpu__drop() at exec leaves another CPU\'s registers valid for the task: C-INV4', () => {
    const r = firstFailure('exec-fpu-drop', w);
    expect(r?.failure?.invariant).toBe('pasid/C-INV4-fpu-coherence');
    expect(r?.failure?.message).toMatch(/valid by fpregs_state_valid\(\), but its image holds INVALID/);
  });

  test('__fpu_invalidate_fpregs_state() holds on the same schedules', () => {
    expect(firstFailure('mainline-exec-clear', w)).toBeNull();
  });
});

describe('irq_fpu_usable() per kernel version (59f5ede3bc0f)', () => {
  const w = wl([{ cpu: 0, ops: [['open'], ['enqcmd'], ['exec'], ['enqcmd']] }], [{ cpu: 0, kind: 'hardirq', times: 4 }]);

  test('5.18-rc5: a hardirq uses the FPU inside fpu_reset_fpregs() and saves the old PASID into the reset image', () => {
    const r = firstFailure('5.18-rc5-irq-fpu', w);
    expect(r?.failure?.invariant).toBe('pasid/C-INV6-other-mm');
  });

  test('the 2022 rule refuses the FPU to a hardirq over fpregs_lock(): the same schedules hold', () => {
    expect(firstFailure('mainline-exec-clear', w)).toBeNull();
  });
});

describe('LAZY-2020 v6 as posted', () => {
  test('after the last unbind ioasid_find() finds no svm: the fixup refuses, SIGSEGV without activation', () => {
    const r = straight('lazy-2020-v6', wl([{ cpu: 0, ops: [['open'], ['close'], ['enqcmd']] }]));
    expect(r.failure).toBeNull();
    expect(r.counters['gp']).toBe(1);
    expect(r.trace!.some((s) => s.changes.some((c) => c.includes('pasid_activated: false → true')))).toBe(false);
  });

  test('the PASID lives until destroy_context() from __mmdrop, after the unbind', () => {
    const r = straight('lazy-2020-v6', wl([{ cpu: 0, ops: [['open'], ['enqcmd']] }]));
    expect(r.failure).toBeNull();
    expect(order(fns(r), ['intel_svm_unbind_mm', '__mmdrop', 'destroy_context'])).toBe(true);
  });
});

test('5.10 intel_svm_bind_mm(): the PASID entry is programmed before load_pasid() publishes mm->pasid', () => {
  const r = straight('ipi-5.10-fpu-safe', wl([{ cpu: 0, ops: [['open']] }]));
  expect(r.failure).toBeNull();
  const at = (what: RegExp) => r.trace!.findIndex((s) => what.test(s.what));
  expect(at(/PASID table\[1\|VALID\] = mm0/)).toBeLessThan(at(/smp_store_release\(&mm0->pasid/));
});

test('two threads close one fd: one close_fd() gets -EBADF, every reference is dropped once (every interleaving)', () => {
  const w = wl([{ cpu: 0, ops: [['open'], ['clone', [['close']]], ['close']] }]);
  let ebadf = 0;
  const d = dfs(pasid, findVariant(pasid, 'mainline-exec-clear'), w, {
    exec: { cpus: 2, maxSteps: 600, maxPreemptions: 2, maxEnvSteps: 0, trace: false }, maxStates: 200_000,
    onExecution: (r) => { ebadf += r.counters['close-ebadf'] ?? 0; },
  });
  expect(d.failure).toBeNull();
  expect(d.complete).toBe(true);
  expect(ebadf).toBeGreaterThan(0);
});

test('a thread survives SIGSEGV in a handler, binds later and submits', () => {
  const r = straight('mainline-exec-clear', wl([{ cpu: 0, ops: [['enqcmd'], ['open'], ['enqcmd']], handler: true }]));
  expect(r.failure).toBeNull();
  // the first #GP finds no PASID (mm->pasid INVALID), the second is fixed up
  expect(r.counters['gp']).toBe(2);
  expect(r.counters['enqcmd']).toBe(1);
  expect(order(fns(r), ['ENQCMD', 'exc_general_protection', 'entry_SYSCALL_64', 'idxd_cdev_open', 'ENQCMD', 'exc_general_protection', 'ENQCMD'])).toBe(true);
});

test("Andy's compare-before-write: switching between threads of one mm dirties no xsave line", () => {
  const w = wl([{ cpu: 0, ops: [['open'], ['clone', [['enqcmd'], ['enqcmd']]], ['enqcmd'], ['enqcmd']] }]);
  const run = (variant: string) =>
    execute(pasid, findVariant(pasid, variant), w, new RandomStrategy([]), { cpus: 1, maxSteps: 400, maxPreemptions: 8, maxEnvSteps: 0, trace: false });
  const andy = run('andy-2020');
  expect(andy.failure).toBeNull();
  expect(andy.counters['enqcmd']).toBe(4);
  // the clone inherits the image with the PASID: the switch path compares and writes nothing
  expect(andy.counters['xsave-dirty'] ?? 0).toBe(0);
});
