/**
 * The x86 FPU register/memory protocol as far as the PASID component goes
 * (arch/x86/kernel/fpu/core.c, arch/x86/include/asm/fpu/internal.h of 5.8..5.18):
 * TIF_NEED_FPU_LOAD says the memory image is authoritative; fpregs_state_valid() says the
 * registers still hold that image, so the XRSTOR at return to user may be skipped.
 * Andy Lutomirski's rule (quoted in <YVIxeBh3IKYYK711@agluck-desk2.amr.corp.intel.com>): with
 * !TIF_NEED_FPU_LOAD the registers are the truth and only they may be changed.
 * fpregs_lock() is local_bh_disable(): it keeps softirqs out, not hardirqs; whether a hardirq may
 * then use the FPU is irq_fpu_usable()'s call, which changed in 59f5ede3bc0f (5.18-rc6).
 * Abstraction: only IA32_PASID is modelled; kernel FPU use does not clobber it (it clobbers the
 * vector registers, which no invariant here looks at).
 */
import { count } from '../../../../../sim/world.js';
import { local_bh_disable, local_bh_enable, preempt_disable, preempt_enable, type Gen } from '../../../../../sim/thread.js';
import { INVALID, ptask, type PasidState, type PTask, type X } from '../../../../mm/pasid-types.js';

export function fpregs_state_valid(k: PasidState, task: number, cpu: number): boolean {
  return k.cpus[cpu]!.owner === task && k.tasks[task]!.fpu.last_cpu === cpu;
}

/** __fpu_invalidate_fpregs_state(): the next return to user must XRSTOR the image. */
export function __fpu_invalidate_fpregs_state(t: PTask): void {
  t.fpu.last_cpu = -1;
}

/** wrmsrl(MSR_IA32_PASID, value): the register copy, whoever owns it now. */
export function wrmsrl_pasid(x: X, value: number): void {
  count(x.w, 'wrmsr');
  x.w.k.cpus[x.cpu()]!.msr = value;
}

/** A software store of the PASID word into a task's xsave image (one cache line dirtied). */
export function xstate_write_pasid(x: X, t: PTask, value: number): void {
  count(x.w, 'xsave-dirty');
  t.fpu.image = value;
}

/**
 * fpregs_lock(): local_bh_disable() (preempt_disable() on PREEMPT_RT, not modelled), which also
 * raises preempt_count: no preemption inside. The sim keeps the bh count apart from
 * preempt_count, so both are raised here.
 */
export function fpregs_lock(x: X): void {
  local_bh_disable(x);
  preempt_disable(x);
}

/** fpregs_unlock(): local_bh_enable(), which runs pending softirqs right there. */
export function* fpregs_unlock(x: X, fn: string): Gen {
  preempt_enable(x);
  yield* local_bh_enable(x, fn);
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

/** fpregs_mark_activate(): the registers are current's and authoritative. */
function fpregs_mark_activate(x: X, t: PTask): void {
  const cpu = x.cpu();
  x.w.k.cpus[cpu]!.owner = x.current().id;
  t.fpu.last_cpu = cpu;
  t.TIF_NEED_FPU_LOAD = false;
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
  fpregs_mark_activate(x, t);
}

/** softirq_count(): serving a softirq on this CPU, or bottom halves disabled by current. */
function softirq_count(x: X): boolean {
  return x.cpuState().ctx.some((c) => c.kind === 'softirq') || x.current().softirq_disabled > 0;
}

/**
 * irq_fpu_usable() of the variant's kernel. Both rules refuse a nested kernel FPU section (the
 * 5.10 rule said yes to one in task context, where kernel_fpu_begin() then WARNs: not modelled).
 * 5.10: `!in_interrupt() || interrupted_user_mode() || interrupted_kernel_fpu_idle()`, the last
 * being !in_kernel_fpu: a hardirq may use the FPU inside a fpregs_lock()ed region.
 * 2022 (59f5ede3bc0f): outside a hardirq always; in a hardirq only if !softirq_count(), i.e. it
 * did not interrupt a bh-disabled (fpregs_lock()ed) region or a softirq.
 */
export function irq_fpu_usable(x: X): boolean {
  const k = x.w.k;
  const cpu = x.cpuState();
  if (k.cpus[cpu.id]!.in_kernel_fpu) return false;
  if (k.cfg.irqFpuUsable === '5.10') return true;
  const top = cpu.ctx[cpu.ctx.length - 1]!.kind;
  if (top !== 'hardirq') return true;
  return !softirq_count(x);
}

/**
 * kernel_fpu_begin() (5.10..5.18 order), with its caller's irq_fpu_usable() check (crypto's
 * may_use_simd()) folded in: false when the FPU may not be used. in_kernel_fpu, then
 * TIF_NEED_FPU_LOAD, then save the registers, then invalidate them. Between the flag and the save
 * the registers are still the truth although the flag says the image is: the window of
 * 9bfecd058339 (C.4 #4(a)).
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
 * fpu_flush_thread() at exec, under fpregs_lock() (a hardirq may land in between, see
 * irq_fpu_usable()). 'clear_all' (5.8..5.13 fpu__clear_all()): copy_init_fpstate_to_fpregs(), then
 * fpregs_mark_activate(). fpu_reset_fpregs() (5.14+): the register copy is invalidated, the image
 * reset to init_fpstate (XFEATURE_PASID included), TIF_NEED_FPU_LOAD set. Until 1f69383b203e
 * (6.5) the invalidation was fpu__drop(), which clears only this CPU's owner: registers the task
 * left on another CPU stay valid by fpregs_state_valid() and survive the exec.
 */
export function* fpu_flush_thread(x: X): Gen {
  const k = x.w.k;
  const t = ptask(x);
  fpregs_lock(x);
  if (k.cfg.flushThread === 'clear_all') {
    yield { fn: 'fpu__clear_all', what: 'copy_init_fpstate_to_fpregs(): IA32_PASID = init' };
    wrmsrl_pasid(x, INVALID);
    yield { fn: 'fpu__clear_all', what: 'fpregs_mark_activate()' };
    fpregs_mark_activate(x, t);
  } else {
    if (k.cfg.flushThread === 'reset_fpregs-drop') {
      yield { fn: 'fpu_reset_fpregs', what: 'fpu__drop(): fpregs_deactivate(): this CPU\'s owner = NULL' };
      k.cpus[x.cpu()]!.owner = -1;
    } else {
      yield { fn: 'fpu_reset_fpregs', what: '__fpu_invalidate_fpregs_state(): fpu->last_cpu = -1' };
      __fpu_invalidate_fpregs_state(t);
    }
    yield { fn: 'fpu_reset_fpregs', what: 'memcpy(&fpu->fpstate->regs, &init_fpstate.regs): xstate[PASID] = init' };
    xstate_write_pasid(x, t, INVALID);
    yield { fn: 'fpu_reset_fpregs', what: 'set_thread_flag(TIF_NEED_FPU_LOAD)' };
    t.TIF_NEED_FPU_LOAD = true;
  }
  yield* fpregs_unlock(x, 'fpu_flush_thread');
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
