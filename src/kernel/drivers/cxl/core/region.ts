/**
 * CXL region configuration and its cache management (drivers/cxl/core/region.c):
 *  - d18bc74aced6 "cxl/region: Manage CPU caches relative to DPA invalidation events" (v6.2,
 *    <166993219354.1995348.12912519920112533797.stgit@dwillia2-xfh.jf.intel.com> 5/5):
 *    attach_target() sets CXL_REGION_F_INCOHERENT; cxl_region_probe() invalidates (or bypasses
 *    under CONFIG_CXL_REGION_INVALIDATION_TEST, else fails with -ENXIO) and clears it;
 *  - d1257d098a5a "Move cache invalidation before region teardown, and before setup" (v6.5,
 *    <168696506886.3590522.4597053660991916591.stgit@dwillia2-xfh.jf.intel.com>, reported by
 *    Vikram Sethi): no flag; commit_store() invalidates before committing or tearing down ("to drop
 *    any speculative consumption of this address space"), cxl_region_decode_reset() invalidates
 *    before resetting the decoders and cancels the teardown when that fails;
 *  - 3531b27f1f04 (Li Zhijian, <20231025085450.2514906-1-lizhijian@fujitsu.com>): as merged,
 *    d1257d098a5a's commit_store() returned with cxl_region_rwsem held when the invalidation
 *    failed ("lock held when returning to user space!"); fixed with goto out;
 *  - M-E4: one unconditional invalidation in cxl_region_probe() and none elsewhere.
 * One region with one target (interleave_ways 1), the memdev's DPA fixed. In pmem mode
 * cxl_region_probe() registers an nd_region (region1) over the target's cxl_nvdimm; in ram mode a
 * dax region that dax kmem onlines as memory (devm_cxl_add_dax_region(), drivers/dax/cxl.c), whose
 * removal flushes nothing: the mode of Vikram's HDM-DB concern.
 * cxl_region_rwsem is a mutex here (probe's down_read never overlaps another reader). Changing
 * the target of a committed region (cxl_region_detach() resetting the decode under the mapped
 * region, a TODO in the source) is refused with -EBUSY instead.
 */
import type { Gen } from '../../../../sim/thread.js';
import { hdm_commit, hdm_reset } from '../../../hw/device.js';
import { cpu_cache_has_invalidate_memregion, cpu_cache_invalidate_memregion } from '../../../include/linux/memregion.js';
import { mutex_lock, mutex_unlock } from '../../../kernel/locking/mutex.js';
import { EBUSY, ENXIO, type CxlRegion, type Dev, type X } from '../../../mm/memregion-types.js';
import { device_driver_attach, device_release_driver } from '../../base/dd.js';
import { nd_region_bind, nd_region_unbind } from '../../nvdimm/region.js';

const RWSEM = 'cxl_region_rwsem';
const cxlr = (x: X): CxlRegion => x.w.k.cxlr!;

function* cxl_region_invalidate_memregion(x: X): Gen<number> {
  const k = x.w.k;
  if (k.cfg.cxl === 'probe' && !cxlr(x).CXL_REGION_F_INCOHERENT) return 0;
  if (!cpu_cache_has_invalidate_memregion(x)) {
    // dev_err("Failed to synchronize CPU cache state"), or dev_warn("Bypassing ... for testing!")
    if (!k.cfg.CONFIG_CXL_REGION_INVALIDATION_TEST) return ENXIO;
  } else {
    yield* cpu_cache_invalidate_memregion(x);
  }
  cxlr(x).CXL_REGION_F_INCOHERENT = false;
  return 0;
}

function* cxl_region_decode_commit(x: X): Gen<number> {
  yield { fn: 'cxl_region_decode_commit', what: `commit the HDM decoders, endpoint of ${cxlr(x).target} up to the host bridge` };
  hdm_commit(x, cxlr(x).target!);
  return 0;
}

function* cxl_region_decode_reset(x: X): Gen<number> {
  /* Before region teardown attempt to flush, and if the flush fails cancel the region teardown */
  if (x.w.k.cfg.cxl === 'commit-teardown') {
    const rc = yield* cxl_region_invalidate_memregion(x);
    if (rc) return rc; // unreached: commit_store() made the same has() check before releasing the driver
  }
  yield { fn: 'cxl_region_decode_reset', what: 'reset the HDM decoders, host bridge down to the endpoint' };
  hdm_reset(x);
  return 0;
}

/** echo 1 / echo 0 > regionN/commit */
export function* commit_store(x: X, commit: boolean): Gen<number> {
  const p = cxlr(x);
  yield* mutex_lock(x, RWSEM, 'commit_store');
  let rc = 0;
  out: {
    if (commit ? p.state === 'CXL_CONFIG_COMMIT' : p.state !== 'CXL_CONFIG_COMMIT') break out;
    if (commit && p.state !== 'CXL_CONFIG_ACTIVE') {
      rc = ENXIO;
      break out;
    }
    if (x.w.k.cfg.cxl === 'commit-teardown') {
      /* Invalidate caches before region setup to drop any speculative consumption of this address space */
      rc = yield* cxl_region_invalidate_memregion(x);
      if (rc && !x.w.k.cfg.commitStoreGotoOut) return rc;
      if (rc) break out;
    }
    if (commit) {
      rc = yield* cxl_region_decode_commit(x);
    } else {
      p.state = 'CXL_CONFIG_RESET_PENDING';
      mutex_unlock(x, RWSEM);
      yield* cxl_region_unbind(x);
      yield* mutex_lock(x, RWSEM, 'commit_store');
      /* The lock was dropped, so need to revalidate that the reset is still pending. */
      if (p.state === 'CXL_CONFIG_RESET_PENDING') rc = yield* cxl_region_decode_reset(x);
    }
    if (rc) break out; // unreached: decoder commits cannot fail here and a reset fails only as commit_store()'s own check did
    if (commit) p.state = 'CXL_CONFIG_COMMIT';
    else if (p.state === 'CXL_CONFIG_RESET_PENDING') p.state = 'CXL_CONFIG_ACTIVE';
  }
  mutex_unlock(x, RWSEM);
  return rc;
}

/** echo "" then echo decoderN.M > regionN/target0: detach the old endpoint decoder, attach `dev`'s. */
export function* attach_target(x: X, dev: Dev): Gen<number> {
  const p = cxlr(x);
  yield* mutex_lock(x, RWSEM, 'attach_target');
  let rc = 0;
  if (p.state === 'CXL_CONFIG_COMMIT' || p.state === 'CXL_CONFIG_RESET_PENDING') rc = EBUSY;
  else if (p.target !== dev) {
    p.target = dev;
    p.state = 'CXL_CONFIG_ACTIVE';
    if (x.w.k.cfg.cxl === 'probe') p.CXL_REGION_F_INCOHERENT = true;
  }
  mutex_unlock(x, RWSEM);
  return rc;
}

function* cxl_region_probe(x: X): Gen<number> {
  const p = cxlr(x);
  yield* mutex_lock(x, RWSEM, 'cxl_region_probe');
  let rc = p.state === 'CXL_CONFIG_COMMIT' ? 0 : ENXIO;
  if (rc === 0 && x.w.k.cfg.cxl !== 'commit-teardown') rc = yield* cxl_region_invalidate_memregion(x);
  mutex_unlock(x, RWSEM);
  if (rc) return rc;
  p.bound = true;
  x.w.k.regions.region1.mappings = [p.target!];
  // devm_cxl_add_pmem_region(): the pmem region and its nd_region over the target's cxl_nvdimm
  if (p.mode === 'pmem') yield* nd_region_bind(x, 'region1');
  else yield* devm_cxl_add_dax_region(x);
  return 0;
}

/** The dax region of a ram region, onlined by dax kmem: the memory is mapped. */
function* devm_cxl_add_dax_region(x: X): Gen {
  yield { fn: 'devm_cxl_add_dax_region', what: `dax kmem onlines the region over ${cxlr(x).target}` };
  const r = x.w.k.regions.region1;
  r.active = true;
  x.emit({ type: 'ACTIVATE', region: 'region1', devs: [...r.mappings] });
}

/** Its removal: the memory goes offline; nothing is flushed. */
function* cxl_dax_region_release(x: X): Gen {
  yield { fn: 'cxl_dax_region_release', what: 'dax kmem offlines the region' };
  x.w.k.regions.region1.active = false;
  x.emit({ type: 'DEACTIVATE', region: 'region1' });
}

export function* cxl_region_bind(x: X): Gen<number> {
  return yield* device_driver_attach(x, { dev: 'cxlr', bound: () => cxlr(x).bound, probe: cxl_region_probe });
}

export function* cxl_region_unbind(x: X): Gen {
  yield* device_release_driver(x, {
    dev: 'cxlr', bound: () => cxlr(x).bound,
    *remove(y) {
      // the devm release of what maps the region goes first
      if (cxlr(y).mode === 'pmem') yield* nd_region_unbind(y, 'region1');
      else yield* cxl_dax_region_release(y);
      cxlr(y).bound = false;
    },
  });
}
