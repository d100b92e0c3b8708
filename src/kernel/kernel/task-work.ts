/**
 * fput() defers the final __fput() to task_work (fs/file_table.c, kernel/task_work.c): it runs on
 * the way back to user mode, or in exit_task_work() *after* exit_mm() and exit_files(). That is
 * why an exiting process's sva_unbind() comes after __mmput() (the order 2667ed10d9f0 is about).
 */
import type { Gen } from '../../sim/thread.js';
import { idxd_cdev_release } from '../drivers/dma/idxd/cdev.js';
import { ptask, type X } from '../mm/pasid-types.js';

export function fput(x: X, file: number): void {
  ptask(x).task_work.push(file);
}

export function* task_work_run(x: X): Gen {
  const t = ptask(x);
  for (let file = t.task_work.shift(); file !== undefined; file = t.task_work.shift()) {
    yield { fn: '____fput', what: `file${file}: atomic_dec_and_test(&f_count)` };
    const f = x.w.k.files[file]!;
    if (--f.refs === 0) yield* idxd_cdev_release(x, file);
  }
}
