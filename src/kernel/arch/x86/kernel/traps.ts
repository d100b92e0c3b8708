/**
 * #GP from user mode and the lazy PASID fixup (arch/x86/kernel/traps.c):
 *  - 5.18 try_fixup_enqcmd_gp(), x86/pasid pull <164786043190.122591.9314646033947786445.tglx@xen13>:
 *    runs *before* cond_local_irq_enable(); "Directly writing to the MSR is only possible when
 *    fpregs are valid and the fpstate is not. This is guaranteed when handling a userspace
 *    exception in *before* interrupts are re-enabled."
 *  - LAZY-2020 v6 fixup_pasid_exception() <1594684087-61184-13-git-send-email-fenghua.yu@intel.com>
 *    and the Sep 2021 v1 <20210920192349.2602141-1-fenghua.yu@intel.com>: after
 *    cond_local_irq_enable(), which lets an interrupt's kernel_fpu_begin() run first (C.4 #5).
 * ENQCMD raises #GP without an error code, so the fixup guesses; pasid_activated keeps the guess
 * from looping (PeterZ on v2: "run this same heuristic again and again and again?").
 */
import { count } from '../../../../sim/world.js';
import { KernelBug, type Gen } from '../../../../sim/thread.js';
import { ioasid_get } from '../../../drivers/iommu/ioasid.js';
import { INVALID, isLazy, ptask, type PTask, type X } from '../../../mm/pasid-types.js';
import { fpregs_state_valid, wrmsrl_pasid, xstate_write_pasid } from './fpu/core.js';

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
    return fixup_enqcmd_gp(x);
  }
  yield { fn: 'exc_general_protection', what: 'cond_local_irq_enable(regs)' };
  const cpu = x.cpuState();
  cpu.irqsOff = false;
  yield { fn: 'fixup_pasid_exception', what: 'pasid = current->mm->pasid; fixup' };
  const fixed = fixup_enqcmd_gp(x);
  cpu.irqsOff = true; // cond_local_irq_disable()
  return fixed;
}

/** The fixup body shared by the lazy designs; the variant says how it checks and writes. */
function fixup_enqcmd_gp(x: X): boolean {
  const k = x.w.k;
  const t = ptask(x);
  if (t.mm < 0) return false;
  const pasid = k.mms[t.mm]!.pasid;
  if (pasid === INVALID) return false;
  if (k.cfg.fixupChecksActivated && t.activated) return false; // "the #GP must be from something else"
  if (k.cfg.fixupWrite === 'wrmsr') wrmsrl_pasid(x, pasid);
  else fpu__pasid_write(x, t, pasid);
  if (k.cfg.fixupChecksActivated) {
    t.activated = true;
    if (k.cfg.pasidFree === 'refcount') ioasid_get(k, pasid);
    x.emit({ type: 'ACTIVATE', task: x.current().id, mm: t.mm, pasid });
  }
  return true;
}

/**
 * v6 fpu__pasid_write(), under fpregs_lock() (bh off: no kernel FPU user can run in between):
 * the MSR if "!TIF_NEED_FPU_LOAD || fpregs_state_valid()" (Andy: the second half breaks
 * coherence), else the image. With xsaveAddrDeref, get_xsave_addr() runs before the xfeatures bit
 * is set and returns NULL for a component in init state: WARN_ON_ONCE, then the dereference (C.4 #2).
 */
function fpu__pasid_write(x: X, t: PTask, pasid: number): void {
  const k = x.w.k;
  if (!t.TIF_NEED_FPU_LOAD || fpregs_state_valid(k, x.current().id, x.cpu())) {
    wrmsrl_pasid(x, pasid);
    return;
  }
  if (k.cfg.xsaveAddrDeref && t.fpu.image === INVALID) {
    x.warn('WARNING at fpu__pasid_write: WARN_ON_ONCE(!ppasid_state)');
    throw new KernelBug('fpu__pasid_write', 'NULL pointer dereference: *ppasid_state = msr_val after WARN_ON_ONCE(!ppasid_state)');
  }
  xstate_write_pasid(x, t, pasid);
}
