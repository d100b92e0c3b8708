/**
 * A kernel thread working on a user address space (kernel/kthread.c kthread_use_mm /
 * kthread_unuse_mm, as io_uring or vhost workers do): current->mm is the borrowed mm, so code
 * that trusts current->mm (5.10's _load_pasid, C.4 #4(c)) treats it as a thread of that mm.
 * It never executes ENQCMD (C-INV8).
 */
import type { Gen } from '../../sim/thread.js';
import { switch_mm_irqs_off } from '../arch/x86/mm/tlb.js';
import { ptask, type X } from '../mm/pasid-types.js';
import { mmdrop, mmput } from './fork.js';
import { task_work_run } from './task-work.js';

export function* kthread_worker(x: X, mm: number): Gen {
  const k = x.w.k;
  yield { fn: 'kthread_worker', what: `mmget_not_zero(mm${mm})` };
  // current is known only once the thread runs
  const id = x.current().id;
  const t = ptask(x, id);
  const m = k.mms[mm];
  if (!m || m.mm_users === 0) return;
  m.mm_users++;
  yield { fn: 'kthread_use_mm', what: `mmgrab(mm${mm}); tsk->mm = mm${mm}` };
  m.mm_count++;
  t.mm = mm;
  const cpu = x.cpuState();
  cpu.irqsOff = true;
  yield* switch_mm_irqs_off(x, id);
  cpu.irqsOff = false;
  yield { fn: 'kthread_worker', what: `copy_from_user() through mm${mm}` };
  yield { fn: 'kthread_unuse_mm', what: 'tsk->mm = NULL (the mm stays loaded lazily)' };
  t.mm = -1;
  yield* mmdrop(x, mm);
  yield* mmput(x, mm);
  yield* task_work_run(x);
}
