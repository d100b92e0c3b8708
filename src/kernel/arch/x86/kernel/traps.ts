/**
 * #GP from user mode and the lazy PASID fixup (arch/x86/kernel/traps.c):
 *  - 5.18 try_fixup_enqcmd_gp(), x86/pasid pull <164786043190.122591.9314646033947786445.tglx@xen13>:
 *    runs *before* cond_local_irq_enable(); "Directly writing to the MSR is only possible when
 *    fpregs are valid and the fpstate is not. This is guaranteed when handling a userspace
 *    exception in *before* interrupts are re-enabled."
 *  - LAZY-2020 v6 fixup_pasid_exception() / __fixup_pasid_exception()
 *    <1594684087-61184-13-git-send-email-fenghua.yu@intel.com>: after cond_local_irq_enable();
 *    has_valid_pasid, ioasid_find() (the svm is attached only while the mm is bound), then
 *    fpu__pasid_write() under fpregs_lock(), i.e. local_bh_disable(): a hardirq may still run.
 *  - REFCNT-2021 (Sep 2021 v1 <20210920192349.2602141-1-fenghua.yu@intel.com>, patches 3 and 5):
 *    after cond_local_irq_enable(); reads mm->pasid, takes a PASID reference with
 *    iommu_sva_alloc_pasid() under the mutex, then fpu__pasid_write() with fpregs_state_valid().
 * ENQCMD raises #GP without an error code, so the fixup guesses; pasid_activated keeps the guess
 * from looping (PeterZ on v2: "run this same heuristic again and again and again?").
 * Abstraction: the handler's other fixups (UMIP, IOPL, kprobes) are not modelled; a #GP that
 * is not fixed is force_sig(SIGSEGV), which the caller delivers.
 */
import { count } from '../../../../sim/world.js';
import { KernelBug, WARN_ON_ONCE, type Gen } from '../../../../sim/thread.js';
import { iommu_sva_alloc_pasid } from '../../../drivers/iommu/iommu-sva-lib.js';
import { INVALID, isLazy, ptask, type X } from '../../../mm/pasid-types.js';
import { fpregs_lock, fpregs_state_valid, fpregs_unlock, wrmsrl_pasid, xstate_write_pasid } from './fpu/core.js';

/** exc_general_protection() for a #GP raised by ENQCMD in user mode: true when fixed up (retry). */
export function* exc_general_protection(x: X): Gen<boolean> {
  const k = x.w.k;
  count(x.w, 'gp');
  if (!isLazy(k.cfg.design)) {
    yield { fn: 'exc_general_protection', what: 'no PASID fixup in this design: force_sig(SIGSEGV)' };
    return false;
  }
  if (!k.cfg.fixupAfterIrqEnable) {
    yield { fn: 'exc_general_protection', what: 'try_fixup_enqcmd_gp() with irqs off' };
    return try_fixup_enqcmd_gp(x);
  }
  yield { fn: 'exc_general_protection', what: 'cond_local_irq_enable(regs)' };
  x.cpuState().irqsOff = false;
  const fixed = yield* fixup_pasid_exception(x);
  yield { fn: 'exc_general_protection', what: 'cond_local_irq_disable(regs)' };
  x.cpuState().irqsOff = true;
  return fixed;
}

/** 5.18 try_fixup_enqcmd_gp(): one step, irqs off, the registers are current's user state. */
function try_fixup_enqcmd_gp(x: X): boolean {
  const k = x.w.k;
  const t = ptask(x);
  const pasid = k.mms[t.mm]!.pasid;
  if (pasid === INVALID) return false; // "the #GP can not be fixed up"
  if (k.cfg.fixupChecksActivated && t.activated) return false; // "the #GP must be from something else"
  wrmsrl_pasid(x, pasid);
  activate(x, pasid);
  return true;
}

function activate(x: X, pasid: number): void {
  const t = ptask(x);
  if (!x.w.k.cfg.fixupChecksActivated) return;
  t.activated = true;
  x.emit({ type: 'ACTIVATE', task: x.current().id, mm: t.mm, pasid });
}

/** v6 / Sep 2021 fixup_pasid_exception(), after cond_local_irq_enable(). */
function* fixup_pasid_exception(x: X): Gen<boolean> {
  const k = x.w.k;
  const t = ptask(x);
  yield { fn: '__fixup_pasid_exception', what: 'current->has_valid_pasid; pasid = current->mm->pasid' };
  if (k.cfg.fixupChecksActivated && t.activated) return false;
  const pasid = k.mms[t.mm]!.pasid;
  if (pasid === INVALID) return false;
  // unreached: only the LAZY-2020 designs (all buggy) look the PASID up; it is gone only after an unbind while mm->pasid still holds it, and their default runs stop at an earlier counterexample
  if (k.cfg.fixupFindsIoasid && !k.ioasid.owner[pasid]?.data) return false; // ioasid_find() found no svm
  if (k.cfg.pasidFree === 'refcount') {
    // "The mm's pasid has been allocated. Take a reference to it." Under pasid_mutex in the
    // kernel; here without waiting for it: the engine cannot switch a task out of an exception
    // handler, and the critical sections it would wait for change mm->pasid in single steps that
    // commute with this one (docs/pasid.md)
    const got = yield* iommu_sva_alloc_pasid(x, t.mm);
    // unreached: only if the PASID read above was freed in between and no other is left (REFCNT-2021's read-then-lock); the default run fails at exec first
    if (got === INVALID) return false;
  }
  if (k.cfg.fixupWrite === 'wrmsr') {
    yield { fn: '__fixup_pasid_exception', what: `wrmsrl(MSR_IA32_PASID, ${pasid}|VALID)` };
    wrmsrl_pasid(x, pasid);
  } else {
    yield* fpu__pasid_write(x, pasid);
  }
  activate(x, pasid);
  return true;
}

/**
 * fpu__pasid_write() as posted, under fpregs_lock() (bh off, hardirqs on): the MSR if
 * !TIF_NEED_FPU_LOAD (Sep 2021: "|| fpregs_state_valid()", which Andy said breaks coherence), else
 * the image. With xsaveAddrDeref (v6), get_xsave_addr() runs before the xfeatures bit is set and
 * returns NULL for a component in init state: WARN_ON_ONCE, then the dereference (C.4 #2).
 */
function* fpu__pasid_write(x: X, pasid: number): Gen {
  const k = x.w.k;
  const t = ptask(x);
  fpregs_lock(x);
  yield { fn: 'fpu__pasid_write', what: 'fpregs_lock(); test_thread_flag(TIF_NEED_FPU_LOAD)' };
  // unreached: fpregs_state_valid() with TIF set needs the handler preempted and resumed on this CPU (engine: exception handlers are not preempted)
  const direct = !t.TIF_NEED_FPU_LOAD || (k.cfg.fixupWrite === 'fpu__pasid_write-2021' && fpregs_state_valid(k, x.current().id, x.cpu()));
  if (direct) {
    yield { fn: 'fpu__pasid_write', what: `wrmsrl(MSR_IA32_PASID, ${pasid}|VALID)` };
    wrmsrl_pasid(x, pasid);
  } else {
    yield { fn: 'fpu__pasid_write', what: `ppasid_state = get_xsave_addr(XFEATURE_PASID); ppasid_state->pasid = ${pasid}|VALID` };
    if (k.cfg.xsaveAddrDeref && WARN_ON_ONCE(x, t.fpu.image === INVALID, 'fpu__pasid_write', 'WARN_ON_ONCE(!ppasid_state)')) {
      throw new KernelBug('fpu__pasid_write', 'NULL pointer dereference: ppasid_state->pasid = msr_val after WARN_ON_ONCE(!ppasid_state)');
    }
    // unreached: v6 dereferences NULL first (init image), REFCNT-2021's default run fails at exec before an interrupt lands here
    xstate_write_pasid(x, t, pasid);
  }
  yield* fpregs_unlock(x, 'fpu__pasid_write');
}
