/**
 * The device file of an SVA-capable accelerator (drivers/dma/idxd/cdev.c of 5.18): open() binds
 * the opener's mm (iommu_sva_bind_device) before the fd is installed; mmap() of an fd maps the
 * ENQCMD portal (the VMA holds a file reference; VM_DONTCOPY: a fork child has none); munmap()
 * drops it; release() on the last __fput() unbinds. Without a portal a thread cannot submit, which
 * is why 5.18 leaves IA32_PASID valid after unbind (Documentation/x86/sva.rst; C.4 #8).
 * Abstraction: one portal VMA per mmap(), named by its file; mmap_lock is not a separate lock
 * (each VMA change is one atomic step).
 */
import type { Gen } from '../../../../sim/thread.js';
import { iommu_sva_bind_device, iommu_sva_unbind_device } from '../../iommu/iommu-sva-lib.js';
import { fd_install } from '../../../fs/file.js';
import { fput } from '../../../kernel/task-work.js';
import { ptask, type X } from '../../../mm/pasid-types.js';

/** open(/dev/dsa/wqN): the fd, or -1 when the bind failed (no PASID left). */
export function* idxd_cdev_open(x: X, dev: number): Gen<number> {
  const k = x.w.k;
  const t = ptask(x);
  const file = k.files.length;
  k.files.push({ dev, mm: t.mm, refs: 1, bound: false });
  yield { fn: 'idxd_cdev_open', what: `file${file} = open(/dev/dsa/wq${dev})` };
  if (!(yield* iommu_sva_bind_device(x, dev, t.mm))) {
    // do_dentry_open() failed: the VFS drops the file without calling ->release()
    k.files[file]!.refs--;
    return -1;
  }
  k.files[file]!.bound = true;
  yield { fn: 'do_sys_open', what: `fd_install(file${file})` };
  return fd_install(x, file);
}

/** mmap(fd) of the portal: the file mapped, or -1 (-EBADF: a sibling closed the fd first). */
export function* idxd_cdev_mmap(x: X, fd: number): Gen<number> {
  const k = x.w.k;
  const t = ptask(x);
  yield { fn: 'idxd_cdev_mmap', what: `fdget(${fd}); map its portal into mm${t.mm}` };
  const file = k.filesStructs[t.files]!.fdt[fd] ?? null;
  if (file === null) return -1;
  k.files[file]!.refs++; // the VMA's get_file()
  k.mms[t.mm]!.portals.push(file);
  return file;
}

/** munmap() of the portal VMA of `file`, if this mm has it (a fork child never does). */
export function* munmap_portal(x: X, file: number): Gen {
  const t = ptask(x);
  yield { fn: 'munmap', what: `unmap the portal of file${file} from mm${t.mm}` };
  const portals = x.w.k.mms[t.mm]!.portals;
  const at = portals.indexOf(file);
  if (at < 0) return;
  portals.splice(at, 1);
  fput(x, file); // remove_vma()
}

export function* idxd_cdev_release(x: X, file: number): Gen {
  const f = x.w.k.files[file]!;
  yield { fn: 'idxd_cdev_release', what: `file${file}: iommu_sva_unbind_device(mm${f.mm})` };
  if (f.bound) yield* iommu_sva_unbind_device(x, f.dev, f.mm);
}
