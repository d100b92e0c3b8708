/**
 * mm reference counts and task creation (kernel/fork.c): mmget/mmput count users of the address
 * space, mmgrab/mmdrop count references to the struct ("mmget()/mmput() refcount the mm's address
 * space; mmgrab()/mmdrop() refcount the mm itself", Dave Hansen in 2667ed10d9f0). copy_process()
 * for clone (CLONE_VM|CLONE_FILES) and fork (dup_mm without VM_DONTCOPY portals, dup_fd).
 * 5.18: "Children never inherit PASID state" (dup_task_struct clears pasid_activated, fpu_clone
 * clears XFEATURE_PASID).
 */
import type { Gen } from '../../sim/thread.js';
import { fpu_clone } from '../arch/x86/kernel/fpu/core.js';
import { mm_pasid_drop } from '../drivers/iommu/iommu-sva-lib.js';
import { dup_fd } from '../fs/file.js';
import { fput } from './task-work.js';
import { isLazy, newMm, newTask, ptask, type X } from '../mm/pasid-types.js';

export function mm_alloc(x: X): number {
  const k = x.w.k;
  k.mms.push(newMm(k.cpus.length));
  return k.mms.length - 1;
}

export function* mmput(x: X, mm: number): Gen {
  yield { fn: 'mmput', what: `atomic_dec_and_test(&mm${mm}->mm_users)` };
  const m = x.w.k.mms[mm]!;
  if (--m.mm_users > 0) return;
  yield { fn: '__mmput', what: `exit_mmap(mm${mm}): the portal mappings go` };
  for (const f of m.portals.splice(0)) fput(x, f);
  if (x.w.k.cfg.pasidFree === 'mmput') yield* mm_pasid_drop(x, mm);
  yield* mmdrop(x, mm);
}

export function* mmdrop(x: X, mm: number): Gen {
  yield { fn: 'mmdrop', what: `atomic_dec_and_test(&mm${mm}->mm_count)` };
  const m = x.w.k.mms[mm]!;
  if (--m.mm_count > 0) return;
  yield { fn: '__mmdrop', what: `free mm${mm}` };
  if (x.w.k.cfg.pasidFree === 'mmdrop') yield* mm_pasid_drop(x, mm);
  m.freed = true;
  x.emit({ type: 'MM_FREE', mm });
}

/** copy_process() for clone() (a thread of the same mm) or fork() (a new process): the child's mm. */
export function* copy_process(x: X, kind: 'clone' | 'fork', name: string, program: (x: X) => Gen): Gen<number> {
  const k = x.w.k;
  yield { fn: 'copy_process', what: kind === 'clone' ? 'CLONE_VM | CLONE_FILES: mmget(), share files' : 'dup_mm(), dup_fd(), fpu_clone()' };
  const parentId = x.current().id;
  const parent = ptask(x, parentId);
  let mm = parent.mm;
  let files = parent.files;
  if (kind === 'clone') {
    k.mms[mm]!.mm_users++;
    k.filesStructs[files]!.users++;
  } else {
    mm = mm_alloc(x);
    files = dup_fd(x, files);
  }
  const child = x.spawn(name, program);
  const ct = newTask(k, child.id, { mm, files, kthread: false });
  fpu_clone(x, parent, ct, !isLazy(k.cfg.design) || k.cfg.forkInherits);
  if (k.cfg.forkInherits) ct.activated = parent.activated;
  x.emit({ type: kind === 'clone' ? 'CLONE' : 'FORK', parent: parentId, child: child.id, mm, activated: ct.activated });
  return mm;
}
