/**
 * The fd table (fs/file.c of 5.18): fd_install() at the lowest free fd, close_fd() picking the
 * file of an fd number under files->file_lock (pick_file(): a slot a sibling sharing the table
 * emptied first is -EBADF, so each fd reference is dropped once), dup_fd() for fork() and
 * put_files_struct() at exit. fput() defers the final __fput() to task_work (task-work.ts).
 * Abstraction: file_lock is not a separate lock; each table operation is one atomic step.
 */
import type { Gen } from '../../sim/thread.js';
import { count } from '../../sim/world.js';
import { fput } from '../kernel/task-work.js';
import { ptask, type FilesStruct, type X } from '../mm/pasid-types.js';

/** get_unused_fd_flags() + fd_install(): the lowest free slot of current's table gets `file`. */
export function fd_install(x: X, file: number): number {
  const fdt = x.w.k.filesStructs[ptask(x).files]!.fdt;
  let fd = fdt.indexOf(null);
  if (fd < 0) fd = fdt.length;
  fdt[fd] = file;
  return fd;
}

/** close_fd(): false (-EBADF) when the slot is already empty. */
export function* close_fd(x: X, fd: number): Gen<boolean> {
  yield { fn: 'close_fd', what: `spin_lock(&files->file_lock); file = pick_file(files, ${fd})` };
  const fdt = x.w.k.filesStructs[ptask(x).files]!.fdt;
  const file = fdt[fd] ?? null;
  if (file === null) {
    count(x.w, 'close-ebadf');
    return false;
  }
  fdt[fd] = null;
  fput(x, file); // filp_close()
  return true;
}

/** dup_fd(): the child's table is a copy; every file gains a reference per copied slot. */
export function dup_fd(x: X, files: number): number {
  const k = x.w.k;
  const fdt = k.filesStructs[files]!.fdt.slice();
  for (const f of fdt) if (f !== null) k.files[f]!.refs++;
  k.filesStructs.push({ users: 1, fdt });
  return k.filesStructs.length - 1;
}

/** put_files_struct() at exit_files(): the last user closes every fd (close_files()). */
export function* put_files_struct(x: X): Gen {
  const fs: FilesStruct = x.w.k.filesStructs[ptask(x).files]!;
  yield { fn: 'exit_files', what: 'put_files_struct(): atomic_dec_and_test(&files->count)' };
  if (--fs.users > 0) return;
  for (const [fd, f] of fs.fdt.entries()) {
    if (f === null) continue;
    fs.fdt[fd] = null;
    fput(x, f);
  }
}
