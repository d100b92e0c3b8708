/**
 * The Intel NVDIMM security ops (drivers/acpi/nfit/intel.c) in the three designs:
 *  - pre-memregion (v6.0): every op calls nvdimm_invalidate_cache(), i.e. wbinvd_on_all_cpus()
 *    on x86, with no regard for a hypervisor (E.4 #1);
 *  - intel-ops, v3 <20220919110605.3696-1-dave@stgolabs.net> and v5
 *    <166698148737.3132474.5901874516011784201.stgit@dwillia2-xfh.jf.intel.com>: each op returns
 *    -EINVAL unless cpu_cache_has_invalidate_memregion(); unlock invalidates after the command,
 *    erase before and after, overwrite before, query-overwrite after completion ("flush all cache
 *    before we make the nvdimms available"); the return value of the invalidation is ignored;
 *  - region-driver, dc370b28c842 <166993221550.1995348.16843505129579060258.stgit@dwillia2-xfh.jf.intel.com>:
 *    no gate and no invalidation here (the nvdimm core marks NDD_INCOHERENT instead).
 * The DSM payload, dsm_mask (-ENOTTY) and firmware status codes other than "in progress" are left
 * out: the commands always succeed.
 */
import type { Gen } from '../../../../sim/thread.js';
import { dev_erase, dev_overwrite, dev_query_overwrite, dev_unlock } from '../../../hw/device.js';
import { cpu_cache_has_invalidate_memregion, cpu_cache_invalidate_memregion } from '../../../include/linux/memregion.js';
import { wbinvd_on_all_cpus } from '../../../arch/x86/lib/cache-smp.js';
import { EBUSY, EINVAL, type Dev, type X } from '../../../mm/memregion-types.js';

/** intel-ops: "if (!cpu_cache_has_invalidate_memregion()) return -EINVAL;" (M-E5 removes it) */
function refused(x: X): boolean {
  const cfg = x.w.k.cfg;
  return cfg.nvdimm === 'intel-ops' && cfg.securityOpsGate && !cpu_cache_has_invalidate_memregion(x);
}

/** The op's own cache maintenance: nvdimm_invalidate_cache() before v3, the memregion call after. */
function* invalidate(x: X): Gen {
  switch (x.w.k.cfg.nvdimm) {
    case 'pre-memregion': yield* wbinvd_on_all_cpus(x); return;
    case 'intel-ops': yield* cpu_cache_invalidate_memregion(x); return;
    case 'region-driver': return;
  }
}

function* dsm(_x: X, dev: Dev, cmd: string): Gen {
  yield { fn: 'nvdimm_ctl', what: `ND_CMD_CALL ${cmd} on ${dev}` };
}

export function* intel_security_unlock(x: X, dev: Dev): Gen<number> {
  if (refused(x)) return EINVAL;
  yield* dsm(x, dev, 'NVDIMM_INTEL_UNLOCK_UNIT');
  dev_unlock(x, dev);
  /* DIMM unlocked, invalidate all CPU caches before we read it */
  yield* invalidate(x);
  return 0;
}

export function* intel_security_erase(x: X, dev: Dev): Gen<number> {
  if (refused(x)) return EINVAL;
  /* flush all cache before we erase DIMM */
  yield* invalidate(x);
  yield* dsm(x, dev, 'NVDIMM_INTEL_SECURE_ERASE');
  dev_erase(x, dev);
  /* DIMM erased, invalidate all CPU caches before we read it */
  yield* invalidate(x);
  return 0;
}

export function* intel_security_overwrite(x: X, dev: Dev): Gen<number> {
  if (refused(x)) return EINVAL;
  /* flush all cache before we erase DIMM */
  yield* invalidate(x);
  yield* dsm(x, dev, 'NVDIMM_INTEL_OVERWRITE');
  dev_overwrite(x, dev);
  return 0;
}

/** (Its has() gate is left out: an overwrite runs only after its submission passed the same gate.) */
export function* intel_security_query_overwrite(x: X, dev: Dev): Gen<number> {
  yield* dsm(x, dev, 'NVDIMM_INTEL_QUERY_OVERWRITE');
  if (dev_query_overwrite(x, dev) === 'busy') return EBUSY;
  /* flush all cache before we make the nvdimms available */
  yield* invalidate(x);
  return 0;
}
