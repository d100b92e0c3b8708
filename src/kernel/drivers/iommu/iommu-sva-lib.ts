/**
 * SVA bind/unbind and the PASID lifetime (drivers/iommu/iommu-sva-lib.c and intel/svm.c):
 *  - 5.18 iommu_sva_alloc_pasid(): allocated once per mm under iommu_sva_lock and kept "for the
 *    lifetime of the mm"; mm_pasid_drop() in __mmput (701fac40384f) or, since the use-after-free
 *    fix 2667ed10d9f0, in __mmdrop: after the IOMMU driver's mmgrab is gone.
 *  - 5.10 intel_svm_unbind_mm() (20f0afd1fb3d): on the last unbind ioasid_free() and then
 *    load_pasid(mm, PASID_DISABLED) [inference: a window with a freed PASID still loaded].
 *  - LAZY-2020: freed on the last unbind; REFCNT-2021: freed with its last reference.
 * Unbind reads mm->pasid, as the code that 2667ed10d9f0 fixed did.
 */
import type { Gen } from '../../../sim/thread.js';
import { load_pasid } from '../../arch/x86/kernel/fpu/xstate.js';
import { mmdrop } from '../../kernel/fork.js';
import { mutex_lock, mutex_unlock } from '../../kernel/locking/mutex.js';
import { INVALID, isLazy, pasidStr, type X } from '../../mm/pasid-types.js';
import { ioasid_alloc, ioasid_free, ioasid_get, ioasid_put } from './ioasid.js';

const LOCK = 'iommu_sva_lock';

/** iommu_sva_bind_device(): false on -ENOSPC (the small IOASID space is full). */
export function* iommu_sva_bind_device(x: X, dev: number, mm: number): Gen<boolean> {
  const k = x.w.k;
  yield* mutex_lock(x, LOCK, 'iommu_sva_bind_device');
  let pasid = k.mms[mm]!.pasid;
  if (pasid === INVALID) {
    yield { fn: 'iommu_sva_alloc_pasid', what: `ioasid_alloc() for mm${mm}` };
    pasid = ioasid_alloc(k, mm);
    if (pasid === INVALID) {
      mutex_unlock(x, LOCK);
      return false;
    }
    x.emit({ type: 'ALLOC', mm, pasid });
    if (isLazy(k.cfg.design)) k.mms[mm]!.pasid = pasid; // mm_pasid_set()
    else yield* load_pasid(x, mm, pasid);
  } else if (k.cfg.pasidFree === 'refcount') {
    ioasid_get(k, pasid);
  }
  yield { fn: 'intel_svm_bind_mm', what: `mmgrab(mm${mm}); PASID table[${pasidStr(pasid)}] = mm${mm}` };
  const m = k.mms[mm]!;
  m.mm_count++;
  m.binds++;
  const table = k.pasidTable[dev]!;
  table[pasid] = { mm, binds: (table[pasid]?.binds ?? 0) + 1 };
  x.emit({ type: 'BIND', dev, mm, pasid });
  mutex_unlock(x, LOCK);
  return true;
}

export function* iommu_sva_unbind_device(x: X, dev: number, mm: number): Gen {
  const k = x.w.k;
  const m = k.mms[mm]!;
  yield* mutex_lock(x, LOCK, 'iommu_sva_unbind_device');
  yield { fn: 'intel_svm_unbind_mm', what: `pasid = mm${mm}->pasid; intel_pasid_tear_down_entry()` };
  const pasid = m.pasid;
  x.emit({ type: 'UNBIND', dev, mm, pasid });
  const entry = k.pasidTable[dev]![pasid];
  if (entry && entry.mm === mm && --entry.binds === 0) delete k.pasidTable[dev]![pasid];
  m.binds--;
  yield* release_pasid(x, mm, pasid);
  mutex_unlock(x, LOCK);
  yield* mmdrop(x, mm); // the IOMMU driver's mmgrab
}

/** What the design does with the PASID when a binding goes away. */
function* release_pasid(x: X, mm: number, pasid: number): Gen {
  const k = x.w.k;
  const m = k.mms[mm]!;
  if (pasid === INVALID) return;
  if (k.cfg.pasidFree === 'refcount') {
    if (ioasid_put(x, mm, pasid)) m.pasid = INVALID;
    return;
  }
  if (k.cfg.pasidFree !== 'last-unbind' || m.binds > 0) return;
  if (isLazy(k.cfg.design)) {
    ioasid_free(x, mm, pasid);
    m.pasid = INVALID;
    return;
  }
  if (k.cfg.freeBeforeClear) {
    yield { fn: 'intel_svm_unbind_mm', what: `ioasid_free(${pasid})` };
    ioasid_free(x, mm, pasid);
    yield* load_pasid(x, mm, INVALID);
  } else {
    yield* load_pasid(x, mm, INVALID);
    yield { fn: 'intel_svm_unbind_mm', what: `ioasid_free(${pasid})` };
    ioasid_free(x, mm, pasid);
  }
}

/** mm_pasid_drop() (5.18): where it is called is the use-after-free question. */
export function* mm_pasid_drop(x: X, mm: number): Gen {
  const m = x.w.k.mms[mm]!;
  if (m.pasid === INVALID) return;
  yield { fn: 'mm_pasid_drop', what: `ioasid_free(mm${mm}->pasid = ${m.pasid}); mm->pasid = INVALID` };
  ioasid_free(x, mm, m.pasid);
  m.pasid = INVALID;
}
