/**
 * The IOASID allocator (drivers/iommu/ioasid.c): the lowest free id in [min, max), like the
 * xarray it used, so a freed PASID is the next one handed out. ioasid_set_data() attaches the
 * intel svm that v2-v6's fixup looks up with ioasid_find(). The per-PASID reference count is used
 * only by the REFCNT-2021 design (ioasid_get/ioasid_put of <20210920192349.2602141-1-fenghua.yu@intel.com>).
 */
import { INVALID, type PasidState, type X } from '../../mm/pasid-types.js';

export function ioasid_alloc(k: PasidState, mm: number): number {
  for (let p = k.ioasid.min; p < k.ioasid.max; p++) {
    if (k.ioasid.owner[p] === undefined) {
      k.ioasid.owner[p] = { mm, refs: 1, data: false };
      return p;
    }
  }
  return INVALID;
}

export function ioasid_get(k: PasidState, pasid: number): void {
  const o = k.ioasid.owner[pasid];
  if (o) o.refs++;
}

/** ioasid_set_data(): the svm of a bound mm, or NULL once its last device is unbound (v2-v6). */
export function ioasid_set_data(k: PasidState, pasid: number, bound: boolean): void {
  const o = k.ioasid.owner[pasid];
  if (o) o.data = bound;
}

/** Frees the PASID of `mm` and tells the spec (the linearization point of the free). */
export function ioasid_free(x: X, mm: number, pasid: number): void {
  delete x.w.k.ioasid.owner[pasid];
  x.emit({ type: 'FREE', mm, pasid });
}

/** ioasid_put(): true when this dropped the last reference and freed the PASID ("unknown ioasid": false). */
export function ioasid_put(x: X, mm: number, pasid: number): boolean {
  const o = x.w.k.ioasid.owner[pasid];
  if (!o || --o.refs > 0) return false;
  ioasid_free(x, mm, pasid);
  return true;
}
