/**
 * The nd_region driver (drivers/nvdimm/region.c, v6.2) and its bind/unbind on the nvdimm bus:
 *  - nd_region_probe(): nd_region_activate(), then namespace registration; init_active_labels()
 *    fails the probe with -ENXIO when a DIMM's driver is not bound ("is locked, failing probe")
 *    and otherwise takes nvdimm->busy for each mapping; the region is then mapped (active);
 *  - nd_region_remove(): namespaces down, then, since dc370b28c842, "Try to flush caches here
 *    since a disabled region may be subject to secure erase while disabled, and previous dirty
 *    data should not be written back to a new instance of the region. This only matters on bare
 *    metal where security commands are available, so silent failure here is ok."
 *  - nvdimm_bus_remove(): the driver's remove, then nd_region_disable().
 * Namespaces, badblocks and seeds are left out: "active" means the region's memory is mapped.
 */
import type { Gen } from '../../../sim/thread.js';
import { cpu_cache_has_invalidate_memregion, cpu_cache_invalidate_memregion } from '../../include/linux/memregion.js';
import { ENXIO, type RegionId, type X } from '../../mm/memregion-types.js';
import { device_driver_attach, device_release_driver } from '../base/dd.js';
import { nvdimm_bus_probe } from './bus.js';
import { nd_region_activate, nd_region_disable } from './region_devs.js';

function* nd_region_probe(x: X, r: RegionId): Gen<number> {
  const rc = yield* nd_region_activate(x, r);
  if (rc) return rc;
  const k = x.w.k;
  const region = k.regions[r];
  yield { fn: 'nd_region_probe', what: `nd_region_register_namespaces(${r}): init_active_labels()` };
  if (region.mappings.some((d) => !k.nvdimm[d].probed)) return ENXIO;
  for (const d of region.mappings) k.nvdimm[d].busy++;
  region.active = true;
  x.emit({ type: 'ACTIVATE', region: r, devs: [...region.mappings] });
  return 0;
}

function* nd_region_remove(x: X, r: RegionId): Gen {
  yield { fn: 'nd_region_remove', what: `unregister the namespaces of ${r}` };
  x.w.k.regions[r].active = false;
  x.emit({ type: 'DEACTIVATE', region: r });
  if (x.w.k.cfg.nvdimm === 'region-driver' && cpu_cache_has_invalidate_memregion(x)) yield* cpu_cache_invalidate_memregion(x);
}

export function* nd_region_bind(x: X, r: RegionId): Gen<number> {
  return yield* device_driver_attach(x, {
    dev: r, bound: () => x.w.k.regions[r].active,
    probe: (y) => nvdimm_bus_probe(y, (z) => nd_region_probe(z, r)),
  });
}

export function* nd_region_unbind(x: X, r: RegionId): Gen {
  yield* device_release_driver(x, {
    dev: r, bound: () => x.w.k.regions[r].active,
    *remove(y) {
      yield* nd_region_remove(y, r);
      nd_region_disable(y, r);
    },
  });
}
