/**
 * memregion/outcome: what an administrator's operation achieves. Every other memregion check is a
 * safety property, which an operation that silently does nothing (or fails) keeps; this one states,
 * from the operation's documented meaning, when a sysfs write must succeed and what it must leave
 * behind. The programs (memregion-programs.ts) record each operation's view of the kernel and
 * device state before and after it and its return code (k.admin); the claims read only those.
 *
 * A claim is made only where nothing may legitimately make the operation fail:
 *  - no other task's administrator operation overlapped it (a concurrent bind, unbind, commit or
 *    security command may take the device first: -EBUSY, a teardown racing a probe, ...);
 *  - no overwrite of a device involved was in flight when it started (-EBUSY by design);
 *  - the operation's own preconditions held when it started (the region configured, the DIMM
 *    idle and not in use, security commands available), and the cache maintenance it needs is
 *    available: cpu_cache_has_invalidate_memregion() (bare metal with ARCH_HAS), or the test
 *    bypass of its config option. Where has() is false and no bypass applies the kernel refuses
 *    by design (-ENXIO, -EINVAL), and no success is claimed.
 * Sources of each claim are given beside it. Loads, stores and module loads change no
 * configuration: no claim, and they race nothing.
 */
import type { AdminRecord, AdminView, Dev, MemregionState } from '../src/kernel/mm/memregion-types.js';

/** The effect an operation must leave, given the views before and after: the violation, if any. */
type Claim = (before: AdminView, after: AdminView) => string | undefined;

/** What cpu_cache_has_invalidate_memregion() means (memregion.md E.2): x86 bare metal with the arch support. */
const has = (k: MemregionState) => k.cfg.archHas && k.hw.platform === 'metal';

/** A security command on `d` can run: the platform exposes the op, and v3/v5's Intel ops gate on has() (-EINVAL). */
function securityAvailable(k: MemregionState, a: AdminView, d: Dev, op: 'unlock' | 'erase' | 'overwrite'): boolean {
  const ops = a.nvdimm[d].secOps;
  if (ops === null || (op === 'overwrite' && ops !== 'intel')) return false; // -EIO / -EOPNOTSUPP
  return ops === 'cxl' || k.cfg.nvdimm !== 'intel-ops' || has(k);
}

const overwriting = (a: AdminView, d: Dev) => a.nvdimm[d].NDD_SECURITY_OVERWRITE || a.devices[d].overwrite > 0;

/**
 * The claims per operation: given the view before, the success the operation must have (rc 0 is
 * checked by the caller) and the effect it must leave (returned as the violation), or undefined
 * when no success is claimed.
 */
const CLAIMS: Record<string, (op: string[], a: AdminView, k: MemregionState) => Claim | undefined> = {
  /*
   * nvdimm_probe() (drivers/nvdimm/dimm.c) of a locked DIMM unlocks it (nvdimm_security_unlock(),
   * drivers/nvdimm/security.c): the probe fails only if the DIMM "is locked" afterwards. Unlocking
   * changes what the media reads as (intel_security_unlock(): "DIMM unlocked, invalidate all CPU
   * caches before we read it"): data where a locked DIMM gave none.
   */
  unlock(op, a, k) {
    const d = op[1] as Dev;
    if (a.nvdimm[d].probed || !a.devices[d].locked || overwriting(a, d) || !securityAvailable(k, a, d, 'unlock')) return;
    return (before, b) => (b.devices[d].locked ? `${d} is still locked` : !b.nvdimm[d].probed ? `${d}'s driver is not bound`
      : b.devices[d].epoch > before.devices[d].epoch ? undefined : `${d}'s media reads as it did while locked`);
  },
  /*
   * security_store() (drivers/nvdimm/dimm_devs.c): "Require all userspace triggered security
   * management to be done while probing is idle and the DIMM is not in active use in any region";
   * an idle DIMM not in use, with no overwrite running (-EBUSY from check_security_state()), is
   * erased (the media holds new data) or its overwrite starts.
   */
  erase: security,
  overwrite: security,
  /*
   * nd_region_probe() (drivers/nvdimm/region.c): a disabled region whose DIMMs are unlocked and
   * bound (init_active_labels()), none with an overwrite in progress (nd_region_activate()'s
   * -EBUSY), and whose incoherent DIMMs can be invalidated (or the CONFIG_NVDIMM_SECURITY_TEST
   * bypass), is enabled.
   */
  enable(_op, a, k) {
    const r = a.regions.region0;
    if (r.active || r.mappings.some((d) => overwriting(a, d) || a.devices[d].locked || !a.nvdimm[d].probed)) return;
    if (r.mappings.some((d) => a.nvdimm[d].NDD_INCOHERENT) && !has(k) && !k.cfg.CONFIG_NVDIMM_SECURITY_TEST) return;
    return (_a, b) => (b.regions.region0.active ? undefined : 'region0 is not active');
  },
  /* device_release_driver() (drivers/base/dd.c): the driver is gone, the region unmapped. */
  disable: () => (_a, b) => (b.regions.region0.active ? 'region0 is still active' : undefined),
  /*
   * target0 (Documentation/ABI/testing/sysfs-bus-cxl; attach_target(), drivers/cxl/core/region.c):
   * an uncommitted region takes the endpoint decoder as its target; -EBUSY only once committed.
   */
  attach(op, a) {
    const p = a.cxlr;
    if (!p || p.state === 'CXL_CONFIG_COMMIT' || p.state === 'CXL_CONFIG_RESET_PENDING') return;
    return (_a, b) => (b.cxlr!.target !== op[1] || b.cxlr!.state !== 'CXL_CONFIG_ACTIVE' ? `the region's target is ${b.cxlr!.target ?? 'none'} in ${b.cxlr!.state}, not ${op[1]} configured` : undefined);
  },
  /*
   * commit (Documentation/ABI/testing/sysfs-bus-cxl): "Write a boolean 'true' string value to this
   * attribute to trigger the region to transition from the software programmed state to the
   * actively decoding in hardware state"; committing a committed region is a no-op that succeeds
   * (commit_store()). d1257d098a5a invalidates first, so that needs has() or the bypass.
   */
  commit(_op, a, k) {
    const p = a.cxlr;
    if (!p || (p.state !== 'CXL_CONFIG_ACTIVE' && p.state !== 'CXL_CONFIG_COMMIT') || !cxlFlushAvailable(k, 'commit')) return;
    return (_a, b) => (b.cxlr!.state !== 'CXL_CONFIG_COMMIT' ? `the region is ${b.cxlr!.state}, not committed`
      : b.decodeX !== b.cxlr!.target ? `X decodes ${b.decodeX ?? 'nothing'}, not the target ${b.cxlr!.target}` : undefined);
  },
  /* commit = 0: the region is torn down (unbound, decoders reset) back to its configured state. */
  decommit(_op, a, k) {
    if (a.cxlr?.state !== 'CXL_CONFIG_COMMIT' || !cxlFlushAvailable(k, 'commit')) return;
    return (_a, b) => (b.cxlr!.state !== 'CXL_CONFIG_ACTIVE' ? `the region is ${b.cxlr!.state}, not reset`
      : b.decodeX !== null ? `X still decodes ${b.decodeX}` : b.cxlr!.bound ? 'the region is still bound' : undefined);
  },
  /*
   * cxl_region_probe() (drivers/cxl/core/region.c) fails only a region that is not committed
   * ("config state"); since d1257d098a5a it does no cache maintenance, before it invalidated when
   * CXL_REGION_F_INCOHERENT was set (needs has() or the bypass).
   */
  bind(_op, a, k) {
    const p = a.cxlr;
    if (!p || p.bound || p.state !== 'CXL_CONFIG_COMMIT' || !cxlFlushAvailable(k, 'probe')) return;
    return (_a, b) => (b.cxlr!.bound ? undefined : 'the committed region is not bound');
  },
  unbind: (_op, a) => (a.cxlr ? (_a, b) => (b.cxlr!.bound ? 'the region is still bound' : undefined) : undefined),
};

function security(op: string[], a: AdminView, k: MemregionState): Claim | undefined {
  const d = op[1] as Dev;
  if (a.nvdimm[d].busy > 0 || a.devices[d].locked || overwriting(a, d) || !securityAvailable(k, a, d, op[0] as 'erase' | 'overwrite')) return;
  return (before, b) => (b.devices[d].epoch > before.devices[d].epoch ? undefined : `${d}'s media was not changed`);
}

/** The CXL design's invalidation at `where` (commit_store() since d1257d098a5a, the probe before) can run. */
function cxlFlushAvailable(k: MemregionState, where: 'commit' | 'probe'): boolean {
  const design = k.cfg.cxl;
  const flushes = where === 'commit' ? design === 'commit-teardown' : design !== 'commit-teardown';
  return !flushes || has(k) || k.cfg.CONFIG_CXL_REGION_INVALIDATION_TEST;
}

/** The violation of a completed, unraced operation's claim, if any. */
export function outcomeViolation(r: AdminRecord, k: MemregionState): string | undefined {
  if (r.raced || r.after === null) return;
  const claim = CLAIMS[r.op[0]!]?.(r.op, r.before, k);
  if (!claim) return;
  const what = r.op.join(' ');
  if (r.rc !== 0) return `${what} failed with ${r.rc}`;
  const effect = claim(r.before, r.after);
  return effect && `${what} returned 0 but ${effect}`;
}
