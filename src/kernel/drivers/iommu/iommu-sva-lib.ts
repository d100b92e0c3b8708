/**
 * SVA bind/unbind and the PASID lifetime (drivers/iommu/iommu-sva-lib.c and intel/svm.c):
 *  - 5.18 iommu_sva_alloc_pasid(): allocated once per mm under iommu_sva_lock and kept "for the
 *    lifetime of the mm" (mm_pasid_set() before the device is bound); mm_pasid_drop() in __mmput
 *    (701fac40384f) or, since the use-after-free fix 2667ed10d9f0, in __mmdrop: after the IOMMU
 *    driver's mmgrab is gone.
 *  - v2-v6 (LAZY-2020, "x86/mmu: Allocate/free PASID"): intel_svm_bind_mm() programs the PASID
 *    entry, then sets mm->pasid; the last unbind only clears the svm (ioasid_set_data(NULL)); the
 *    PASID is freed in destroy_context() from __mmdrop ("freed at process exit").
 *  - 5.10 intel_svm_bind_mm() (20f0afd1fb3d): programs the PASID entry, then load_pasid()
 *    publishes mm->pasid and IPIs; on the last unbind ioasid_free() and then
 *    load_pasid(mm, PASID_DISABLED) [inference: a window with a freed PASID still loaded].
 *  - REFCNT-2021: iommu_sva_alloc_pasid() takes a reference when the mm has a PASID; freed with
 *    its last reference (unbind, or pasid_put() at deactivate_mm()).
 * Unbind reads mm->pasid, as the code that 2667ed10d9f0 fixed did. pasid_mutex and iommu_sva_lock
 * are one lock here (the intel driver takes the first around the second).
 */
import type { Gen } from '../../../sim/thread.js';
import { load_pasid } from '../../arch/x86/kernel/fpu/xstate.js';
import { mmdrop } from '../../kernel/fork.js';
import { mutex_lock, mutex_unlock } from '../../kernel/locking/mutex.js';
import { INVALID, isLazy, pasidStr, type X } from '../../mm/pasid-types.js';
import { ioasid_alloc, ioasid_free, ioasid_get, ioasid_put, ioasid_set_data } from './ioasid.js';

export const PASID_MUTEX = 'iommu_sva_lock';

/**
 * iommu_sva_alloc_pasid() (caller holds the lock): the mm's PASID, a reference to it in the
 * refcounted design, or a new one set in mm->pasid; INVALID on -ENOSPC.
 */
export function* iommu_sva_alloc_pasid(x: X, mm: number): Gen<number> {
  const k = x.w.k;
  const m = k.mms[mm]!;
  yield { fn: 'iommu_sva_alloc_pasid', what: `mm${mm}->pasid valid? else ioasid_alloc()` };
  if (m.pasid !== INVALID) {
    if (k.cfg.pasidFree === 'refcount') ioasid_get(k, m.pasid);
    return m.pasid;
  }
  const pasid = ioasid_alloc(k, mm);
  if (pasid === INVALID) return INVALID;
  x.emit({ type: 'ALLOC', mm, pasid });
  m.pasid = pasid; // mm_pasid_set()
  return pasid;
}

/** iommu_sva_bind_device(): false on -ENOSPC (the small IOASID space is full). */
export function* iommu_sva_bind_device(x: X, dev: number, mm: number): Gen<boolean> {
  yield* mutex_lock(x, PASID_MUTEX, 'iommu_sva_bind_device');
  const ok = isLazy(x.w.k.cfg.design) && x.w.k.cfg.design !== 'LAZY-2020' ? yield* bind_pasid_first(x, dev, mm) : yield* bind_entry_first(x, dev, mm);
  mutex_unlock(x, PASID_MUTEX);
  return ok;
}

/** 5.15/5.18: iommu_sva_alloc_pasid() sets mm->pasid, then intel_svm_bind_mm() programs the entry. */
function* bind_pasid_first(x: X, dev: number, mm: number): Gen<boolean> {
  const pasid = yield* iommu_sva_alloc_pasid(x, mm);
  if (pasid === INVALID) return false;
  yield* intel_svm_bind_mm(x, dev, mm, pasid);
  return true;
}

/**
 * 2020 intel_svm_bind_mm(): a new PASID is allocated, the entry programmed, and only then
 * published in mm->pasid (v6: a store; 5.10 and Andy: load_pasid(), with its IPIs).
 */
function* bind_entry_first(x: X, dev: number, mm: number): Gen<boolean> {
  const k = x.w.k;
  let pasid = k.mms[mm]!.pasid;
  const fresh = pasid === INVALID;
  if (fresh) {
    yield { fn: 'intel_svm_bind_mm', what: `svm->pasid = ioasid_alloc() for mm${mm}` };
    pasid = ioasid_alloc(k, mm);
    if (pasid === INVALID) return false;
    x.emit({ type: 'ALLOC', mm, pasid });
  }
  yield* intel_svm_bind_mm(x, dev, mm, pasid);
  if (!fresh) return true;
  if (isLazy(k.cfg.design)) {
    yield { fn: 'intel_svm_bind_mm', what: `mm${mm}->pasid = svm->pasid (${pasid})` };
    k.mms[mm]!.pasid = pasid;
  } else {
    yield* load_pasid(x, mm, pasid);
  }
  return true;
}

/** mmgrab() and the PASID entry of the device (intel_pasid_setup_first_level()). */
function* intel_svm_bind_mm(x: X, dev: number, mm: number, pasid: number): Gen {
  const k = x.w.k;
  yield { fn: 'intel_svm_bind_mm', what: `mmgrab(mm${mm}); PASID table[${pasidStr(pasid)}] = mm${mm}` };
  const m = k.mms[mm]!;
  m.mm_count++;
  m.binds++;
  const table = k.pasidTable[dev]!;
  table[pasid] = { mm, binds: (table[pasid]?.binds ?? 0) + 1 };
  ioasid_set_data(k, pasid, true);
  x.emit({ type: 'BIND', dev, mm, pasid });
}

export function* iommu_sva_unbind_device(x: X, dev: number, mm: number): Gen {
  const k = x.w.k;
  const m = k.mms[mm]!;
  yield* mutex_lock(x, PASID_MUTEX, 'iommu_sva_unbind_device');
  yield { fn: 'intel_svm_unbind_mm', what: `pasid = mm${mm}->pasid; intel_pasid_tear_down_entry()` };
  const pasid = m.pasid;
  x.emit({ type: 'UNBIND', dev, mm, pasid });
  const entry = k.pasidTable[dev]![pasid];
  if (entry && entry.mm === mm && --entry.binds === 0) delete k.pasidTable[dev]![pasid];
  m.binds--;
  yield* release_pasid(x, mm, pasid);
  mutex_unlock(x, PASID_MUTEX);
  yield* mmdrop(x, mm); // the IOMMU driver's mmgrab
}

/** What the design does with the PASID when a binding goes away. */
function* release_pasid(x: X, mm: number, pasid: number): Gen {
  const k = x.w.k;
  const m = k.mms[mm]!;
  // unreached: an unbind that reads mm->pasid == INVALID is 5.18-original's use-after-free, whose free C-INV2 reports first
  if (pasid === INVALID) return;
  if (k.cfg.pasidFree === 'refcount') {
    if (ioasid_put(x, mm, pasid)) m.pasid = INVALID; // iommu_sva_free_pasid()
    return;
  }
  if (m.binds > 0) return;
  ioasid_set_data(k, pasid, false);
  if (k.cfg.pasidFree !== 'last-unbind') return;
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

/**
 * REFCNT-2021 pasid_put() from deactivate_mm() (exec_mmap() and exit_mm() both call
 * mm_release()): a task that fixed up its MSR drops a reference to `mm`'s current PASID.
 */
export function* pasid_put(x: X, mm: number): Gen {
  const k = x.w.k;
  if (k.cfg.pasidFree !== 'refcount' || !k.tasks[x.current().id]!.activated) return;
  yield* mutex_lock(x, PASID_MUTEX, 'pasid_put');
  const m = k.mms[mm]!;
  if (m.pasid !== INVALID && ioasid_put(x, mm, m.pasid)) m.pasid = INVALID; // iommu_sva_free_pasid()
  mutex_unlock(x, PASID_MUTEX);
}

/** mm_pasid_drop() (5.18) / destroy_context() → __free_pasid() (v2-v6): where it runs is the use-after-free question. */
export function* mm_pasid_drop(x: X, mm: number): Gen {
  const m = x.w.k.mms[mm]!;
  if (m.pasid === INVALID) return;
  const fn = x.w.k.cfg.design === 'LAZY-2020' ? 'destroy_context' : 'mm_pasid_drop';
  yield { fn, what: `ioasid_free(mm${mm}->pasid = ${m.pasid}); mm->pasid = INVALID` };
  ioasid_free(x, mm, m.pasid);
  m.pasid = INVALID;
}
