/**
 * do_exit() (kernel/exit.c), in the order the use-after-free of 2667ed10d9f0 depends on:
 * exit_mm() → mm_release() (REFCNT-2021: deactivate_mm() → pasid_put()) → mmput() → __mmput(),
 * then exit_files() → fput(), then exit_task_work() → __fput() → release() → sva_unbind().
 */
import type { Gen } from '../../sim/thread.js';
import { pasid_put } from '../drivers/iommu/iommu-sva-lib.js';
import { put_files_struct } from '../fs/file.js';
import { ptask, type X } from '../mm/pasid-types.js';
import { mmput } from './fork.js';
import { task_work_run } from './task-work.js';

function* exit_mm(x: X): Gen {
  const t = ptask(x);
  yield { fn: 'exit_mm', what: 'exit_mm_release(current, mm): deactivate_mm()' };
  t.inUser = false;
  const mm = t.mm;
  yield* pasid_put(x, mm);
  yield { fn: 'exit_mm', what: 'current->mm = NULL' };
  t.mm = -1;
  yield* mmput(x, mm);
}

export function* do_exit(x: X): Gen {
  yield* exit_mm(x);
  yield* put_files_struct(x); // exit_files()
  yield* task_work_run(x); // exit_task_work()
  x.emit({ type: 'EXIT', task: x.current().id });
}
