/**
 * The PASID checks on their own, on Worlds built by hand: each fires on the state it is about and
 * stays quiet on a correct one. They read the World, the engine's ghost records and the
 * statechart's state only, so a change to the kernel model cannot switch them off (issue 8,
 * items 12 and 13).
 */
import { describe, expect, test } from 'vitest';
import { execute } from '../../src/engine/engine.js';
import { newGhost, type Ghost } from '../../src/engine/ghost.js';
import { RandomStrategy } from '../../src/explore/random.js';
import { findProtocol, findVariant } from '../../src/protocols.js';
import { createWorld, type World } from '../../src/sim/world.js';
import type { CpuId, TaskId } from '../../src/sim/ids.js';
import type { PasidState } from '../../src/kernel/mm/pasid-types.js';
import { pasidInvariants } from '../../properties/pasid-invariants.js';
import type { PasidWorkload } from '../../properties/pasid-workload.js';

const pasid = findProtocol('pasid');
const inv = (name: string) => pasidInvariants.find((i) => i.name === `pasid/${name}`)!;

/** The World a workload starts from (the setup's state, the engine's tasks), without running it. */
function world(w: PasidWorkload, cpus = 2): World<PasidState> {
  const s = pasid.setup(w, findVariant(pasid, 'mainline-exec-clear'), { cpus });
  const world = createWorld(cpus, s.k as PasidState);
  for (const t of s.tasks) world.tasks.push({ ...world.tasks[0]!, id: world.tasks.length as TaskId, name: t.name, cpu: t.cpu as CpuId, idle: false, state: 'runnable' });
  return world;
}

const one: PasidWorkload = { tasks: [{ cpu: 0, ops: [['open']] }], kthreads: [], irqs: [] };
const check = (name: string, w: World<PasidState>, ghost: Ghost = newGhost(2)) => inv(name).check!(w, undefined, ghost);

describe('pasid/refcounts', () => {
  test('quiet on a fresh World', () => {
    expect(check('refcounts', world(one))).toBeFalsy();
  });
  test('an fput() too many: f_count below zero (the idxd_close bug of issue 8 item 13)', () => {
    const w = world(one);
    w.k.files.push({ dev: 0, mm: 0, refs: -1, bound: true });
    expect(check('refcounts', w)).toBe('file0: f_count = -1');
  });
  test('an fd that refers to a released file', () => {
    const w = world(one);
    w.k.files.push({ dev: 0, mm: 0, refs: 0, bound: true });
    w.k.filesStructs[0]!.fdt.push(0);
    expect(check('refcounts', w)).toMatch(/fd 0 .* refers to file0, whose f_count is 0/);
  });
  test('an mm freed while still counted, a PASID with no reference', () => {
    const w = world(one);
    w.k.mms[0]!.freed = true;
    expect(check('refcounts', w)).toBe('mm0 was freed with mm_users 1, mm_count 1');
    const v = world(one);
    v.k.ioasid.owner[1] = { mm: 0, refs: 0, data: false };
    expect(check('refcounts', v)).toBe('PASID 1 is allocated with 0 references');
  });
});

describe('pasid/quiescence (checked once every task has exited)', () => {
  const run = (variant: string, w: PasidWorkload) =>
    execute(pasid, findVariant(pasid, variant), w, new RandomStrategy([]), { cpus: 2, maxSteps: 600, maxPreemptions: 0, maxEnvSteps: 0, trace: false });

  test('is a final invariant, and a complete run passes it', () => {
    expect(inv('quiescence').final).toBe(true);
    expect(run('mainline-exec-clear', { tasks: [{ cpu: 0, ops: [['open'], ['enqcmd'], ['fork', [['enqcmd']]], ['exec']] }], kthreads: [], irqs: [] }).failure).toBeNull();
  });
  test('names what was never released', () => {
    const w = world(one);
    for (const m of w.k.mms) m.freed = true;
    w.k.filesStructs[0]!.users = 0;
    expect(check('quiescence', w)).toBeFalsy();
    w.k.files.push({ dev: 0, mm: 0, refs: 1, bound: true });
    expect(check('quiescence', w)).toBe('file0 was never released (f_count 1)');
    w.k.ioasid.owner[2] = { mm: 0, refs: 1, data: true };
    expect(check('quiescence', w)).toBe('PASID 2 of mm0 was never freed');
  });
});

describe('pasid/C-INV3-fixup: the statechart\'s record of activations against the World', () => {
  const spec = (activated: Record<number, true>) => ({ context: { mmPasid: {}, owner: {}, bindings: {}, activated, submitted: {} } });
  const judge = (w: World<PasidState>, activated: Record<number, true>) => inv('C-INV3-fixup').check!(w, spec(activated), newGhost(2));
  const A = 2; // the idle tasks of the two CPUs come first

  test('quiet when they agree', () => {
    const w = world(one);
    expect(judge(w, {})).toBeFalsy();
    w.k.tasks[A]!.activated = true;
    expect(judge(w, { [A]: true })).toBeFalsy();
  });
  test('an activation the statechart never heard of (the fixup\'s ACTIVATE report missing)', () => {
    const w = world(one);
    w.k.tasks[A]!.activated = true;
    expect(judge(w, {})).toBe('A has pasid_activated set, but the statechart heard of no activation of it (no ACTIVATE): the activation was never judged');
  });
  test('an activation reported that the World does not show', () => {
    expect(judge(world(one), { [A]: true })).toBe('the statechart counts A as activated (ACTIVATE), but its pasid_activated is clear');
  });
  test('not judged after exit_mm(): the task has no mm, and EXIT is reported later', () => {
    const w = world(one);
    w.k.tasks[A]!.activated = true;
    w.k.tasks[A]!.mm = -1;
    expect(judge(w, {})).toBeFalsy();
  });
});

describe('pasid/C-INV4-fpu-coherence', () => {
  /** A World where task A (id 2) runs on cpu0 in user mode with its registers loaded. */
  function running(): World<PasidState> {
    const w = world(one);
    const a = w.k.tasks[2]!;
    w.cpus[0]!.curr = 2 as TaskId;
    w.tasks[2]!.state = 'running';
    a.TIF_NEED_FPU_LOAD = false;
    a.fpu.last_cpu = 0;
    w.k.cpus[0]!.owner = 2;
    return w;
  }

  test('quiet while the registers are the running task\'s', () => {
    expect(check('C-INV4-fpu-coherence', running())).toBeFalsy();
  });
  test('(a) !TIF_NEED_FPU_LOAD with registers that are not the task\'s', () => {
    const w = running();
    w.k.cpus[0]!.owner = -1;
    expect(check('C-INV4-fpu-coherence', w)).toBe('A runs on cpu0 with !TIF_NEED_FPU_LOAD but the registers are not its own');
  });
  test('(a) is not judged inside fpregs_lock(): the state is between two coherent ones there', () => {
    const w = running();
    w.k.cpus[0]!.owner = -1;
    w.tasks[2]!.softirq_disabled = 1;
    expect(check('C-INV4-fpu-coherence', w)).toBeFalsy();
  });
  test('(b) registers kept valid by fpregs_state_valid() that differ from the image', () => {
    const w = running();
    const a = w.k.tasks[2]!;
    a.TIF_NEED_FPU_LOAD = true;
    a.fpu.image = 1;
    expect(check('C-INV4-fpu-coherence', w)).toMatch(/cpu0's registers hold IA32_PASID INVALID for A, valid by fpregs_state_valid\(\), but its image holds 1\|VALID/);
  });
  test('(c) a #GP that activated the PASID but returned to user mode without it', () => {
    const w = running();
    const ghost = newGhost(2);
    const snap = (activated: boolean, msr: number) => ({ task: 2 as TaskId, preempt_count: 0, migrate_disable: 0, pagefault_disabled: 0, irqsOff: true, locks: [], state: { task: 2, activated, msr, mmPasid: 1 } });
    ghost.ended.push({ kind: 'exception', name: 'exception #GP', cpu: 0 as CpuId, step: 5, entry: snap(false, -1), exit: snap(true, -1) });
    expect(check('C-INV4-fpu-coherence', w, ghost)).toBe('the #GP fixup activated A\'s PASID 1|VALID but it returned to user mode with IA32_PASID INVALID: the write was lost');
    ghost.ended[0]!.exit.state = { task: 2, activated: true, msr: 1, mmPasid: 1 };
    expect(check('C-INV4-fpu-coherence', w, ghost)).toBeFalsy();
    // the mm's PASID was freed while the handler ran: a lifetime matter, not judged here
    ghost.ended[0]!.exit.state = { task: 2, activated: true, msr: 1, mmPasid: -1 };
    ghost.ended[0]!.entry.state = { task: 2, activated: false, msr: -1, mmPasid: 1 };
    expect(check('C-INV4-fpu-coherence', w, ghost)).toBeFalsy();
  });
});
