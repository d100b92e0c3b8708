/**
 * The device file of an SVA-capable accelerator (drivers/dma/idxd/cdev.c of 5.18): open() binds
 * the opener's mm (iommu_sva_bind_device) before the fd is installed, mmap() maps the ENQCMD
 * portal (the VMA holds a file reference; VM_DONTCOPY: a fork child has none), release() on the
 * last __fput() unbinds. Without a portal a thread cannot submit, which is why 5.18 leaves
 * IA32_PASID valid after unbind (Documentation/x86/sva.rst; C.4 #8).
 */
import type { Gen } from '../../../../sim/thread.js';
import { iommu_sva_bind_device, iommu_sva_unbind_device } from '../../iommu/iommu-sva-lib.js';
import { fput } from '../../../kernel/task-work.js';
import { ptask, type X } from '../../../mm/pasid-types.js';

/** open() + mmap(portal); false when the bind failed (no PASID left). */
export function* idxd_cdev_open(x: X, dev: number): Gen<boolean> {
  const k = x.w.k;
  const t = ptask(x);
  const file = k.files.length;
  k.files.push({ dev, mm: t.mm, refs: 1, bound: false });
  yield { fn: 'idxd_cdev_open', what: `file${file} = open(/dev/dsa/wq${dev})` };
  if (!(yield* iommu_sva_bind_device(x, dev, t.mm))) return false;
  k.files[file]!.bound = true;
  const fds = k.filesStructs[t.files]!.fds;
  fds.push(file); // fd_install()
  yield { fn: 'idxd_cdev_mmap', what: `mmap() the portal of file${file} into mm${t.mm}` };
  // a sibling thread may have closed the fd in between: mmap() fails with EBADF
  if (!fds.includes(file)) return true;
  const m = k.mms[t.mm]!;
  k.files[file]!.refs++;
  m.portals.push(file);
  return true;
}

/** munmap() of the portal (if mapped in this mm) and close() of the most recent device fd. */
export function* idxd_close(x: X): Gen {
  const k = x.w.k;
  const t = ptask(x);
  const fds = k.filesStructs[t.files]!.fds;
  const file = fds[fds.length - 1];
  if (file === undefined) return;
  yield { fn: 'munmap', what: `unmap the portal of file${file}; close(fd)` };
  const m = k.mms[t.mm]!;
  const at = m.portals.indexOf(file);
  if (at >= 0) {
    m.portals.splice(at, 1);
    fput(x, file);
  }
  fds.splice(fds.indexOf(file), 1);
  fput(x, file);
}

export function* idxd_cdev_release(x: X, file: number): Gen {
  const f = x.w.k.files[file]!;
  yield { fn: 'idxd_cdev_release', what: `file${file}: iommu_sva_unbind_device(mm${f.mm})` };
  if (f.bound) yield* iommu_sva_unbind_device(x, f.dev, f.mm);
}
