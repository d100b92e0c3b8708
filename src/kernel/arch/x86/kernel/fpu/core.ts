/**
 * The x86 FPU register/memory protocol as far as the PASID component goes
 * (arch/x86/kernel/fpu/core.c, arch/x86/include/asm/fpu/internal.h of 5.10..5.18):
 * TIF_NEED_FPU_LOAD says the memory image is authoritative; fpregs_state_valid() says the
 * registers still hold that image, so the XRSTOR at return to user may be skipped.
 * Andy Lutomirski's rule (quoted in <YVIxeBh3IKYYK711@agluck-desk2.amr.corp.intel.com>): with
 * !TIF_NEED_FPU_LOAD the registers are the truth and only they may be changed.
 */
import { count } from '../../../../../sim/world.js';
import { preempt_disable, preempt_enable, type Gen } from '../../../../../sim/thread.js';
import { INVALID, pasidStr, ptask, type PasidState, type PTask, type X } from '../../../../mm/pasid-types.js';

export function fpregs_state_valid(k: PasidState, task: number, cpu: number): boolean {
  return k.cpus[cpu]!.owner === task && k.tasks[task]!.fpu.last_cpu === cpu;
}

/** __fpu_invalidate_fpregs_state(): the next return to user must XRSTOR the image. */
export function __fpu_invalidate_fpregs_state(t: PTask): void {
  t.fpu.last_cpu = -1;
}

/**
 * wrmsrl(MSR_IA32_PASID): the register copy. Writing it is coherent only when the registers
 * belong to current and are authoritative; otherwise the next XRSTOR silently undoes it (C-INV4).
 */
export function wrmsrl_pasid(x: X, value: number): void {
  const k = x.w.k;
  const cpu = k.cpus[x.cpu()]!;
  const cur = x.current();
  const t = k.tasks[cur.id];
  count(x.w, 'wrmsr');
  if (!t || t.kthread || t.TIF_NEED_FPU_LOAD || cpu.owner !== cur.id) {
    k.incoherent ??= `wrmsr(IA32_PASID, ${pasidStr(value)}) on cpu${x.cpu()} while ${cur.name}'s registers are not authoritative (${t?.TIF_NEED_FPU_LOAD ? 'TIF_NEED_FPU_LOAD set' : 'registers owned by another context'}): the next XRSTOR undoes it`;
  }
  cpu.msr = value;
}

/** A software store of the PASID word into a task's xsave image (one cache line dirtied). */
export function xstate_write_pasid(x: X, t: PTask, value: number): void {
  count(x.w, 'xsave-dirty');
  t.fpu.image = value;
}

/** switch_fpu_prepare(): XSAVES the outgoing user task's registers; its image is now the truth. */
export function switch_fpu_prepare(x: X, prev: number): void {
  const k = x.w.k;
  const t = k.tasks[prev]!;
  if (t.kthread || t.TIF_NEED_FPU_LOAD) return;
  t.fpu.image = k.cpus[x.cpu()]!.msr;
  t.fpu.last_cpu = x.cpu();
  t.TIF_NEED_FPU_LOAD = true;
}

/** switch_fpu_return() at exit to user: XRSTOR unless the registers still hold the image. */
export function switch_fpu_return(x: X): void {
  const k = x.w.k;
  const id = x.current().id;
  const t = ptask(x, id);
  if (!t.TIF_NEED_FPU_LOAD) return;
  const cpu = x.cpu();
  if (!fpregs_state_valid(k, id, cpu)) {
    count(x.w, 'xrstor');
    k.cpus[cpu]!.msr = t.fpu.image;
  }
  k.cpus[cpu]!.owner = id;
  t.fpu.last_cpu = cpu;
  t.TIF_NEED_FPU_LOAD = false;
}

/**
 * irq_fpu_usable(): not nested in another kernel FPU section, and a hardirq may not use the FPU
 * over a bh-disabled section (fpregs_lock() is local_bh_disable()).
 */
export function irq_fpu_usable(x: X): boolean {
  const k = x.w.k;
  const cpu = x.cpuState();
  if (k.cpus[cpu.id]!.in_kernel_fpu) return false;
  const top = cpu.ctx[cpu.ctx.length - 1]!.kind;
  return !(top === 'hardirq' && cpu.ctx.some((c) => c.kind === 'softirq'));
}

/**
 * kernel_fpu_begin() (5.10..5.18 order): in_kernel_fpu, then TIF_NEED_FPU_LOAD, then save the
 * registers, then invalidate them. Between the flag and the save the registers are still the
 * truth although the flag says the image is: the window of 9bfecd058339 (C.4 #4(a)).
 */
export function* kernel_fpu_begin(x: X): Gen<boolean> {
  const k = x.w.k;
  yield { fn: 'kernel_fpu_begin', what: 'preempt_disable(); this_cpu_write(in_kernel_fpu, true); set_thread_flag(TIF_NEED_FPU_LOAD)' };
  if (!irq_fpu_usable(x)) return false;
  // from here on preemption is off: this CPU and current stay the same
  preempt_disable(x);
  const cpu = k.cpus[x.cpu()]!;
  const cur = x.current().id;
  const t = ptask(x, cur);
  cpu.in_kernel_fpu = true;
  if (!t.kthread && !t.TIF_NEED_FPU_LOAD) {
    t.TIF_NEED_FPU_LOAD = true;
    yield { fn: 'kernel_fpu_begin', what: 'copy_fpregs_to_fpstate(&current->thread.fpu)' };
    t.fpu.image = cpu.msr;
    t.fpu.last_cpu = x.cpu();
  }
  yield { fn: 'kernel_fpu_begin', what: '__cpu_invalidate_fpregs_state()' };
  cpu.owner = -1;
  return true;
}

export function* kernel_fpu_end(x: X): Gen {
  yield { fn: 'kernel_fpu_end', what: 'this_cpu_write(in_kernel_fpu, false); preempt_enable()' };
  x.w.k.cpus[x.cpu()]!.in_kernel_fpu = false;
  preempt_enable(x);
}

/**
 * fpu_clone() / fpu__copy(): the child's image. 5.18: "Children never inherit PASID state"
 * (lazy designs); 5.10 and Andy's design copy it and rely on the switch-in path to correct it.
 */
export function fpu_clone(x: X, parent: PTask, child: PTask, inherit: boolean): void {
  if (!inherit) {
    child.fpu.image = INVALID;
    return;
  }
  child.fpu.image = parent.TIF_NEED_FPU_LOAD ? parent.fpu.image : x.w.k.cpus[x.cpu()]!.msr;
}
