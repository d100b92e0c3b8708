/**
 * execve() as far as PASID goes (fs/exec.c begin_new_exec() of 5.18):
 *  - exec_mmap(): exec_mm_release() → mm_release() → deactivate_mm() (REFCNT-2021's pasid_put()
 *    of the old mm), then a new mm with no PASID is activated with irqs off, then mmput(old);
 *  - flush_thread() → fpu_flush_thread(): the PASID component back to init;
 *  - pasid_activated is *not* cleared: only dup_task_struct() clears it (fork.c), in 5.18 as in
 *    mainline (v2-v6 and Sep 2021: has_valid_pasid, likewise). A task that activated its PASID,
 *    execs, binds in the new image and issues ENQCMD is refused by the fixup (docs/pasid.md,
 *    "exec keeps pasid_activated"). `execClearsActivated` is the fix we propose, in
 *    arch_setup_new_exec().
 * Abstraction: de_thread() is not modelled (sibling threads keep the old mm); open files stay
 * open (no O_CLOEXEC), their portal mappings go with the old mm.
 */
import type { Gen } from '../../sim/thread.js';
import { fpu_flush_thread } from '../arch/x86/kernel/fpu/core.js';
import { switch_mm_irqs_off } from '../arch/x86/mm/tlb.js';
import { pasid_put } from '../drivers/iommu/iommu-sva-lib.js';
import { ptask, type X } from '../mm/pasid-types.js';
import { mm_alloc, mmput } from './fork.js';

function* exec_mmap(x: X): Gen {
  const id = x.current().id;
  const t = ptask(x, id);
  const old = t.mm;
  yield { fn: 'exec_mmap', what: `exec_mm_release(current, mm${old}): deactivate_mm()` };
  yield* pasid_put(x, old);
  yield { fn: 'exec_mmap', what: 'local_irq_disable(); tsk->mm = new mm; activate_mm()' };
  t.mm = mm_alloc(x);
  const cpu = x.cpuState();
  cpu.irqsOff = true;
  yield* switch_mm_irqs_off(x, id);
  cpu.irqsOff = false;
  yield* mmput(x, old);
}

export function* begin_new_exec(x: X): Gen {
  const k = x.w.k;
  const id = x.current().id;
  const t = ptask(x, id);
  yield* exec_mmap(x);
  yield* fpu_flush_thread(x); // flush_thread()
  yield { fn: 'setup_new_exec', what: k.cfg.execClearsActivated ? 'arch_setup_new_exec(): current->pasid_activated = 0' : 'arch_setup_new_exec()' };
  if (k.cfg.execClearsActivated) t.activated = false;
  x.emit({ type: 'EXEC', task: id, mm: t.mm, activated: t.activated });
}
