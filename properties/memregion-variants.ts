/**
 * Variants of the memregion protocol: the designs of memregion.md E.2 as they were posted and
 * merged, each known bug of E.4 and each mutant of E.5 as a named, cited configuration of the
 * same kernel code on a given machine (bare metal, a KVM or TDX guest). A buggy variant names the
 * general invariant expected to catch it; no check looks at the variant.
 */
import type { Variant } from '../src/protocol.js';
import type { MemregionConfig, Platform } from '../src/kernel/mm/memregion-types.js';

export interface Machine {
  platform: Platform;
  /** the devices are emulated by the host (QEMU, nfit_test, cxl_test): media changes are coherent */
  emulated: boolean;
  /** in a guest: the hypervisor passes the DIMM and memdev security commands through */
  guestSecurity: boolean;
  /** a module outside the DEVMEM importers may be loaded (false: only NVDIMM and CXL use the interface) */
  foreignModules: boolean;
  /**
   * the passphrase key is loaded after boot: locked devices stay locked until user space rebinds
   * their driver, possibly while it enables a region over them (false: the boot-time probes unlock
   * them, and nd_synchronize() orders those DIMM probes before any region probe)
   */
  lateUnlock: boolean;
}

export interface MemregionVariantConfig { kernel: MemregionConfig; machine: Machine }

type V = Variant<MemregionVariantConfig>;

const V3 = 'v3, Davidlohr Bueso <20220919110605.3696-1-dave@stgolabs.net>';
const V5 = 'v5, Dan Williams <166698148737.3132474.5901874516011784201.stgit@dwillia2-xfh.jf.intel.com> (Acked-by Dave Hansen; v6.2)';
const MOVE = 'dc370b28c842 "nvdimm/region: Move cache management to the region driver" <166993221550.1995348.16843505129579060258.stgit@dwillia2-xfh.jf.intel.com>';
const PROBE = 'd18bc74aced6 "cxl/region: Manage CPU caches relative to DPA invalidation events" (5/5 of <166993219354.1995348.12912519920112533797.stgit@dwillia2-xfh.jf.intel.com>)';
const FIX = 'd1257d098a5a "cxl/region: Move cache invalidation before region teardown, and before setup" <168696506886.3590522.4597053660991916591.stgit@dwillia2-xfh.jf.intel.com>';
const UNLOCK = '3531b27f1f04 (Li Zhijian <20231025085450.2514906-1-lizhijian@fujitsu.com>)';
const MAINLINE = `${V5}; ${MOVE} as merged; ${FIX}; ${UNLOCK}`;
const REMOVE = 'nd_region_remove(): "This only matters on bare metal where security commands are available, so silent failure here is ok." (dc370b28c842)';

/** v6.7 and later: v5's interface, the NVDIMM region driver, CXL invalidation at commit and teardown. */
const mainline: MemregionConfig = {
  archHas: true, api: 'v5', hasUnderHypervisor: false, invalidateGate: true, wbinvdAllCpus: true,
  nvdimm: 'region-driver', securityOpsGate: true, overwriteCheckFirst: true, CONFIG_NVDIMM_SECURITY_TEST: false,
  cxl: 'commit-teardown', commitStoreGotoOut: true, CONFIG_CXL_REGION_INVALIDATION_TEST: false,
};
/** v5 as posted: the Intel security ops manage the caches; the CXL region managed none yet. */
const v5: MemregionConfig = { ...mainline, nvdimm: 'intel-ops', cxl: null };
const v3: MemregionConfig = { ...v5, api: 'v3' };
const TESTS = { CONFIG_NVDIMM_SECURITY_TEST: true, CONFIG_CXL_REGION_INVALIDATION_TEST: true };

const metal: Machine = { platform: 'metal', emulated: false, guestSecurity: false, foreignModules: true, lateUnlock: false };
/** a guest with assigned devices; Dan's assumption: no security commands in guests */
const kvm: Machine = { ...metal, platform: 'kvm' };
/** a guest that can send security commands to an assigned DIMM: what the v3/v5 gate is for */
const kvmSecurity: Machine = { ...kvm, guestSecurity: true };
/** QEMU with emulated NVDIMM/CXL devices (nfit_test, cxl_test): the test-bypass environment */
const qemu: Machine = { ...kvm, emulated: true, guestSecurity: true };

const I = {
  load: 'memregion/E-INV1-no-stale-load', writeback: 'memregion/E-INV2-no-stale-writeback', gating: 'memregion/E-INV3-gating',
  scope: 'memregion/E-INV4-scope', balance: 'kernel/context-balance', progress: 'kernel/progress', bug: 'kernel/BUG',
};

const correct = (name: string, description: string, source: string, kernel: MemregionConfig, machine: Machine): V =>
  ({ name, buggy: false, description, source, config: { kernel, machine } });
const buggy = (name: string, description: string, source: string, expect: string, kernel: MemregionConfig, machine: Machine, also: string[] = []): V =>
  ({ name, buggy: true, description, source, expect, ...(also.length ? { alsoCaughtBy: also } : {}), config: { kernel, machine } });

export const memregionVariants: V[] = [
  correct('mainline', 'bare metal, v6.7+: security ops set NDD_INCOHERENT, nd_region_activate() invalidates after the overwrite check, nd_region_remove() flushes; CXL invalidates before commit and before decoder teardown',
    MAINLINE, mainline, metal),
  correct('mainline-kvm', 'mainline in a KVM guest with an assigned CXL memdev and no security commands: has() is false, so commit and teardown fail with -ENXIO instead of flushing',
    `${MAINLINE}; ${REMOVE}`, mainline, kvm),
  correct('mainline-tdx', 'mainline in a TDX guest: has() is false, no WBINVD is ever executed (it would raise #VE)',
    `${MAINLINE}; ${V3} changelog (TDX #VE)`, mainline, { ...kvm, platform: 'tdx' }),
  correct('mainline-qemu-test', 'mainline with CONFIG_NVDIMM_SECURITY_TEST and CONFIG_CXL_REGION_INVALIDATION_TEST in QEMU with emulated devices: the invalidation is bypassed with a warning, and the emulated media changes are coherent (E.4 #5)',
    `${MAINLINE}; Dave Jiang v7 "Add bypass for cpu_cache_invalidate_memregion() for cxl_test and nfit_test"; ${PROBE} Kconfig help`, { ...mainline, ...TESTS }, qemu),
  correct('v5', 'v5 as merged, before the move: the Intel DSM ops gate on has() (-EINVAL) and invalidate around each op; WARN + -ENXIO gate; DEVMEM namespace',
    V5, v5, metal),
  correct('v5-kvm-security', 'v5 in a KVM guest that can send DIMM security commands: every op refuses with -EINVAL',
    `${V5}; ${V3} changelog`, v5, kvmSecurity),
  correct('v5-late-unlock', 'v5 with the key loaded after boot: a DIMM unlocked by a driver rebind while its region is enabled; the Intel unlock op invalidates before the DIMM probe completes, and the region cannot register namespaces before that',
    `${V5}; drivers/nvdimm/dimm.c nvdimm_probe(), namespace_devs.c init_active_labels()`, v5, { ...metal, lateUnlock: true }),
  correct('v3', 'v3 with only the NVDIMM code as caller: has() gate in the Intel ops, no runtime gate in invalidate(), EXPORT_SYMBOL_GPL',
    V3, v3, { ...metal, foreignModules: false }),
  correct('v3-x86-32', 'v3 on x86-32, which did not select ARCH_HAS_CPU_CACHE_INVALIDATE_MEMREGION: has() is the static inline false, every security op refuses (Dave Hansen: "What is 64-bit only about this?")',
    `${V3}; Dave Hansen's review of v4`, { ...v3, archHas: false }, { ...metal, foreignModules: false }),
  correct('pre-memregion', 'before the interface: nvdimm_invalidate_cache() is wbinvd_on_all_cpus() around every Intel security op; on bare metal it is coherent',
    'drivers/acpi/nfit/intel.c (v6.0)', { ...v5, api: null, nvdimm: 'pre-memregion' }, metal),

  buggy('pre-memregion-kvm', 'E.4 #1: the same code in a KVM guest that can send security commands: WBINVD is trapped and ignored, the op proceeds',
    `${V3} changelog, citing e2efb6359e62 "ACPICA: Avoid cache flush inside virtual machines"`, I.gating,
    { ...v5, api: null, nvdimm: 'pre-memregion' }, kvmSecurity, [I.load, I.writeback]),
  buggy('v3-any-gpl-module', 'v3 exported the interface to every GPL module: a module outside NVDIMM and CXL links against it and flushes every CPU\'s cache (E-INV4; the DEVMEM namespace of v4/v5)',
    `${V3}; Dave Hansen on v4: "thank $DEITY you're trying to limit the amount of code that has access to this thing"`, I.scope, v3, metal),
  buggy('region-driver-as-posted', 'E.4 #3: patch 4/5 as posted invalidated in nd_region_activate() before the NDD_SECURITY_OVERWRITE check, clearing NDD_INCOHERENT while the overwrite still runs',
    `${MOVE} as posted; Davidlohr Bueso's review; Dan: "nd_region_invalidate_memregion() is too early"`, I.load,
    { ...mainline, overwriteCheckFirst: false, cxl: null }, metal),
  buggy('d18bc74aced6', 'E.4 #4: CXL invalidation only at cxl_region_probe(): a dirty line of the old memdev is written back (MemClnEvict) into the new one once its decode is up, and the probe-time WBINVD itself writes it there',
    `${PROBE}; fixed by ${FIX}`, I.writeback, { ...mainline, cxl: 'probe' }, metal, [I.load]),
  buggy('d1257d098a5a-as-merged', 'commit_store() returns with cxl_region_rwsem held when the invalidation fails, as in QEMU without CONFIG_CXL_REGION_INVALIDATION_TEST',
    `${FIX}; ${UNLOCK}`, I.balance, { ...mainline, commitStoreGotoOut: false }, { ...qemu, guestSecurity: false }, [I.progress]),
  buggy('mainline-kvm-security-passthrough', '[inference] mainline in a guest that can send security commands: the ops no longer gate on has() since the move, an erase proceeds while the guest cannot flush dirty lines',
    `${REMOVE} states the assumption this breaks`, I.gating, mainline, kvmSecurity, [I.writeback]),
  buggy('mainline-late-unlock', '[inference] mainline with the key loaded after boot: a DIMM probe (unlock, NDD_INCOHERENT) can run while a region over it probes; nd_region_invalidate_memregion() tests the flags, invalidates, then clears every flag, including one set after its test, and init_active_labels() accepts the now unlocked DIMM',
    `${MOVE}; drivers/nvdimm/dimm.c nvdimm_probe(); nd_synchronize() orders these probes only at boot`, 'memregion/E-INV5-incoherent-mark',
    mainline, { ...metal, lateUnlock: true }, [I.load, I.writeback]),
  buggy('mainline-no-arch-support', '[inference] mainline where has() is false on bare metal (an arch without ARCH_HAS_CPU_CACHE_INVALIDATE_MEMREGION, arm64 before 2025): an erase of an unbound CXL memdev proceeds with dirty lines nd_region_remove() could not flush',
    `${REMOVE}; memregion.md E.4 #6 (arm64 support, 2025)`, I.writeback, { ...mainline, archHas: false }, metal, [I.load]),
  buggy('test-bypass-on-assigned-device', '[inference] CONFIG_CXL_REGION_INVALIDATION_TEST in a guest whose memdev is assigned, not emulated: the bypass lets the guest change the decode under its caches',
    `${PROBE} Kconfig: "If unsure, or if this kernel is meant for production environments, say N"`, I.gating, { ...mainline, ...TESTS }, kvm, [I.load, I.writeback]),

  buggy('M-E1', 'has() returns true under a hypervisor; KVM ignores the WBINVD', 'memregion.md M-E1', I.gating,
    { ...mainline, hasUnderHypervisor: true }, kvm, [I.load, I.writeback]),
  buggy('M-E1-tdx', 'has() returns true in a TDX guest: the WBINVD raises #VE and the kernel dies', 'memregion.md M-E1; arch/x86/coco/tdx/tdx.c', I.bug,
    { ...mainline, hasUnderHypervisor: true }, { ...kvm, platform: 'tdx' }),
  buggy('M-E2', 'invalidate() without the WARN/has() gate, with an Intel op that forgot its own has() check (what Dave Hansen asked the WARN for): the flush is silently ignored in a guest',
    'memregion.md M-E2; Dave Hansen on v4', I.gating, { ...v5, invalidateGate: false, securityOpsGate: false }, kvmSecurity, [I.load, I.writeback]),
  buggy('M-E3', 'mainline with nd_region_invalidate_memregion() moved before the overwrite-in-progress check', 'memregion.md M-E3', I.load,
    { ...mainline, overwriteCheckFirst: false }, metal),
  buggy('M-E4', 'mainline with the CXL invalidation only at cxl_region_probe(), not before commit and teardown', 'memregion.md M-E4', I.writeback,
    { ...mainline, cxl: 'probe-always' }, metal, [I.load]),
  buggy('M-E5', 'v5 with the Intel security ops proceeding when !has(): the invalidation WARNs and fails, the op goes on', 'memregion.md M-E5', I.gating,
    { ...v5, securityOpsGate: false }, kvmSecurity, [I.load, I.writeback]),
  buggy('M-E5-x86-32', 'M-E5 on v3\'s x86-32 build, where has() is the static inline false: the op calls the !ARCH_HAS stub, which WARNs and fails, and goes on',
    `memregion.md M-E5; ${V3}`, I.gating, { ...v3, archHas: false, securityOpsGate: false }, { ...metal, foreignModules: false }, [I.load, I.writeback]),
  buggy('M-E6', 'wbinvd() on the calling CPU instead of wbinvd_on_all_cpus()', 'memregion.md M-E6', I.load,
    { ...mainline, wbinvdAllCpus: false }, metal, [I.writeback]),
];
