/**
 * execve() (fs/exec.c begin_new_exec → exec_mmap, arch/x86 fpu__clear_user_states): a new mm
 * with no PASID, the PASID component back in init state, pasid_activated cleared (C-INV5);
 * the old mm loses a user. Open files stay open.
 */
import type { Gen } from '../../sim/thread.js';
import { __fpu_invalidate_fpregs_state } from '../arch/x86/kernel/fpu/core.js';
import { switch_mm_irqs_off } from '../arch/x86/mm/tlb.js';
import { ioasid_put } from '../drivers/iommu/ioasid.js';
import { INVALID, ptask, type X } from '../mm/pasid-types.js';
import { mm_alloc, mmput } from './fork.js';

export function* begin_new_exec(x: X): Gen {
  const k = x.w.k;
  yield { fn: 'begin_new_exec', what: 'exec_mmap(): new mm; fpu__clear_user_states()' };
  const id = x.current().id;
  const t = ptask(x, id);
  const old = t.mm;
  const oldPasid = k.mms[old]!.pasid;
  const wasActivated = t.activated;
  t.mm = mm_alloc(x);
  t.activated = false;
  t.fpu.image = INVALID;
  t.TIF_NEED_FPU_LOAD = true;
  __fpu_invalidate_fpregs_state(t);
  x.emit({ type: 'EXEC', task: id, mm: t.mm, activated: t.activated });
  const cpu = x.cpuState();
  cpu.irqsOff = true; // activate_mm()
  yield* switch_mm_irqs_off(x, id);
  cpu.irqsOff = false;
  if (k.cfg.pasidFree === 'refcount' && wasActivated && oldPasid !== INVALID && ioasid_put(x, old, oldPasid)) k.mms[old]!.pasid = INVALID;
  yield* mmput(x, old);
}
