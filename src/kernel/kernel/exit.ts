/**
 * do_exit() (kernel/exit.c), in the order the use-after-free of 2667ed10d9f0 depends on:
 * exit_mm() → mmput() → __mmput(), then exit_files() → fput(), then exit_task_work() →
 * __fput() → release() → sva_unbind(), then exit_thread() (REFCNT-2021 drops the task's PASID reference there).
 */
import type { Gen } from '../../sim/thread.js';
import { ioasid_put } from '../drivers/iommu/ioasid.js';
import { INVALID, ptask, type X } from '../mm/pasid-types.js';
import { mmput } from './fork.js';
import { fput, task_work_run } from './task-work.js';

export function* exit_files(x: X): Gen {
  const t = ptask(x);
  const fs = x.w.k.filesStructs[t.files]!;
  yield { fn: 'exit_files', what: 'put_files_struct()' };
  if (--fs.users > 0) return;
  const fds = fs.fds.splice(0);
  for (const f of fds) fput(x, f);
}

export function* do_exit(x: X): Gen {
  const k = x.w.k;
  const id = x.current().id;
  const t = ptask(x, id);
  yield { fn: 'do_exit', what: 'exit_mm(): current->mm = NULL' };
  t.inUser = false;
  const mm = t.mm;
  t.mm = -1;
  const pasid = k.mms[mm]!.pasid;
  yield* mmput(x, mm);
  yield* exit_files(x);
  yield* task_work_run(x); // exit_task_work()
  if (k.cfg.pasidFree === 'refcount' && t.activated && pasid !== INVALID) {
    yield { fn: 'exit_thread', what: 'pasid_put(current)' };
    if (ioasid_put(x, mm, pasid)) k.mms[mm]!.pasid = INVALID;
  }
  x.emit({ type: 'EXIT', task: id });
}
