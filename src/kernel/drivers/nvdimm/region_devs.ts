/**
 * nd_region_activate() and nd_region_invalidate_memregion() (drivers/nvdimm/region_devs.c):
 *  - region-driver as merged for v6.2 (dc370b28c842): under the bus lock, -EBUSY when a DIMM of
 *    the region has an overwrite in progress, and only then nd_region_invalidate_memregion(): if
 *    any DIMM is NDD_INCOHERENT, invalidate (or, without support, bypass under
 *    CONFIG_NVDIMM_SECURITY_TEST, else -ENXIO), then clear NDD_INCOHERENT on every mapping;
 *  - as posted in patch 4/5 <166993221550.1995348.16843505129579060258.stgit@dwillia2-xfh.jf.intel.com>:
 *    the invalidation first, then the check (E.4 #3; Davidlohr: "Are you relying on hw preventing
 *    an incoming region_activate() while the overwrite operation is in progress?", Dan: "the
 *    cache could be invalidated too early while the overwrite is still happening"); M-E3;
 *  - before dc370b28c842: only the overwrite check.
 * The flush-hint setup (get_flush_data(), nvdimm_map_flush()) is left out. nd_region_disable()
 * drops nvdimm->busy for every mapping when the region driver goes away.
 */
import type { Gen } from '../../../sim/thread.js';
import { cpu_cache_has_invalidate_memregion, cpu_cache_invalidate_memregion } from '../../include/linux/memregion.js';
import { EBUSY, ENXIO, type RegionId, type X } from '../../mm/memregion-types.js';
import { nvdimm_bus_lock, nvdimm_bus_unlock } from './bus.js';

export function* nd_region_invalidate_memregion(x: X, r: RegionId): Gen<number> {
  const k = x.w.k;
  yield { fn: 'nd_region_invalidate_memregion', what: `test_bit(NDD_INCOHERENT) on the mappings of ${r}` };
  if (!k.regions[r].mappings.some((d) => k.nvdimm[d].NDD_INCOHERENT)) return 0;
  if (cpu_cache_has_invalidate_memregion(x)) yield* cpu_cache_invalidate_memregion(x);
  // dev_err("Failed to synchronize CPU cache state"), or dev_warn("Bypassing ... for testing!")
  else if (!k.cfg.CONFIG_NVDIMM_SECURITY_TEST) return ENXIO;
  yield { fn: 'nd_region_invalidate_memregion', what: `clear_bit(NDD_INCOHERENT) on the mappings of ${r}` };
  for (const d of k.regions[r].mappings) k.nvdimm[d].NDD_INCOHERENT = false;
  return 0;
}

/** Under the bus lock: -EBUSY while a DIMM of the region has an overwrite in progress. */
function* overwrite_check(x: X, r: RegionId): Gen<number> {
  const k = x.w.k;
  yield* nvdimm_bus_lock(x, 'nd_region_activate');
  const overwriting = k.regions[r].mappings.some((d) => k.nvdimm[d].NDD_SECURITY_OVERWRITE);
  nvdimm_bus_unlock(x);
  return overwriting ? EBUSY : 0;
}

export function* nd_region_activate(x: X, r: RegionId): Gen<number> {
  const cfg = x.w.k.cfg;
  const steps = cfg.nvdimm !== 'region-driver' ? [overwrite_check]
    : cfg.overwriteCheckFirst ? [overwrite_check, nd_region_invalidate_memregion] : [nd_region_invalidate_memregion, overwrite_check];
  for (const step of steps) {
    const rc = yield* step(x, r);
    if (rc) return rc;
  }
  return 0;
}

export function nd_region_disable(x: X, r: RegionId): void {
  for (const d of x.w.k.regions[r].mappings) x.w.k.nvdimm[d].busy--;
}
