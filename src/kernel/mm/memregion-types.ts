/**
 * State of the memregion protocol (memregion.md, seed 002): the hardware (per-CPU caches, device
 * media, the CXL HDM decode of one window) and the kernel objects that manage it (struct nvdimm
 * flags, nd_region, cxl_region, the nvdimm bus, modules). Models include/linux/libnvdimm.h
 * (NDD_*), drivers/nvdimm/nd.h (struct nd_region), drivers/cxl/cxl.h (struct cxl_region,
 * CXL_REGION_F_INCOHERENT until d1257d098a5a), include/linux/memregion.h.
 *
 * Abstractions (docs/memregion.md): one cache line per device. The NVDIMM region region0
 * interleaves nmem0 (line Y0) and nmem1 (line Y1); the CXL window X has one line X0 that the HDM
 * decoders route to memdev mem0 or mem1 (one DPA range each) or to nothing. A line or media cell
 * carries the provenance of its data, (device, epoch), not a value: a device's epoch is bumped
 * when a media-changing event starts and when it completes, so "cached before the event" is
 * "older epoch". Values written by software are not tracked (lost writes are not modelled).
 */
import type { MemregionEvent } from '../../../model/memregion.machine.js';
import type { Exec } from '../../sim/thread.js';

export type Dev = 'nmem0' | 'nmem1' | 'mem0' | 'mem1';
export type Addr = 'Y0' | 'Y1' | 'X0';

export const DIMMS: readonly Dev[] = ['nmem0', 'nmem1'];
export const MEMDEVS: readonly Dev[] = ['mem0', 'mem1'];
export const DEVS: readonly Dev[] = [...DIMMS, ...MEMDEVS];
export const ADDRS: readonly Addr[] = ['Y0', 'Y1', 'X0'];

export const ENOENT = -2;
export const EIO = -5;
export const ENXIO = -6;
export const ENODEV = -19;
export const EBUSY = -16;
export const EINVAL = -22;
export const ENOTTY = -25;
export const EOPNOTSUPP = -95;

/** Where a datum comes from: the device whose content it is, and that device's epoch then. */
export interface Provenance { dev: Dev; epoch: number }
export interface Line extends Provenance { dirty: boolean }

export interface Device {
  /** bumped when a media-changing event starts and again when it completes */
  epoch: number;
  /** what the media holds (its one line): fresh data is {this device, its epoch} */
  cell: Provenance;
  /** security state: a locked DIMM's media reads as poison */
  locked: boolean;
  /** an overwrite in progress: query-overwrite polls until the device reports completion; 0: none */
  overwrite: number;
}

export interface LoadRecord {
  addr: Addr;
  /** what the load returned */
  got: Provenance;
  /** what the address held at that moment: the decoded device and its epoch */
  held: Provenance;
}

export type Platform = 'metal' | 'kvm' | 'tdx';

export interface Hw {
  /** bare metal, a KVM guest (WBINVD trapped and ignored) or a TDX guest (WBINVD raises #VE) */
  platform: Platform;
  /** devices emulated by the host (QEMU, nfit_test, cxl_test): their media changes are coherent */
  emulated: boolean;
  /** per CPU: the lines it caches */
  caches: Partial<Record<Addr, Line>>[];
  devices: Record<Dev, Device>;
  /** how many query-overwrite polls an overwrite takes (the device's speed) */
  overwritePolls: number;
  /** the HDM decode of window X: the memdev X0 routes to, or null (not decoded) */
  decodeX: Dev | null;
  /** per CPU: the last software load (what it returned and what the address held) */
  lastLoad: (LoadRecord | null)[];
  /** WBINVDs executed in a KVM guest: trapped and ignored */
  guestWbinvd: number;
  /** the first media-changing event a guest made happen on an assigned (not emulated) device */
  guestEvent: string | null;
}

export type NvdimmDesign =
  /** drivers/acpi/nfit/intel.c before the memregion API: nvdimm_invalidate_cache() = wbinvd_on_all_cpus() */
  | 'pre-memregion'
  /** the Intel DSM security ops gate on has() and invalidate around each op (v3, v5) */
  | 'intel-ops'
  /** dc370b28c842: security ops set NDD_INCOHERENT, nd_region_activate() invalidates */
  | 'region-driver';

export type CxlDesign =
  /** d18bc74aced6: CXL_REGION_F_INCOHERENT set at attach, invalidate in cxl_region_probe() */
  | 'probe'
  /** d1257d098a5a: invalidate in commit_store() before commit and teardown, and in cxl_region_decode_reset() */
  | 'commit-teardown'
  /** M-E4: invalidate only in cxl_region_probe(), unconditionally */
  | 'probe-always';

export interface MemregionConfig {
  /** CONFIG_ARCH_HAS_CPU_CACHE_INVALIDATE_MEMREGION (v3: x86-64 only; v5: all x86) */
  archHas: boolean;
  /** the memregion API as posted: v3 (EXPORT_SYMBOL_GPL, no runtime gate), v5 (DEVMEM namespace, WARN + -ENXIO), or none yet */
  api: 'v3' | 'v5' | null;
  /** M-E1: cpu_cache_has_invalidate_memregion() returns true under a hypervisor */
  hasUnderHypervisor: boolean;
  /** v5's WARN_ON_ONCE(!has()) + -ENXIO in cpu_cache_invalidate_memregion() (false: M-E2) */
  invalidateGate: boolean;
  /** wbinvd_on_all_cpus() (false: M-E6, wbinvd() on the local CPU only) */
  wbinvdAllCpus: boolean;
  nvdimm: NvdimmDesign;
  /** intel-ops: each op returns -EINVAL unless has() (false: M-E5) */
  securityOpsGate: boolean;
  /** region-driver: nd_region_activate() checks for an overwrite in progress before invalidating (false: E.4 #3, M-E3) */
  overwriteCheckFirst: boolean;
  CONFIG_NVDIMM_SECURITY_TEST: boolean;
  /** null: the CXL region is not part of this configuration (before d18bc74aced6 it managed no caches) */
  cxl: CxlDesign | null;
  /** commit_store() unlocks cxl_region_rwsem when the invalidation fails (3531b27f1f04; false: d1257d098a5a as merged) */
  commitStoreGotoOut: boolean;
  CONFIG_CXL_REGION_INVALIDATION_TEST: boolean;
}

/** struct nvdimm, the parts that matter here (an Intel DIMM or a CXL memdev's cxl_nvdimm). */
export interface Nvdimm {
  NDD_INCOHERENT: boolean;
  NDD_SECURITY_OVERWRITE: boolean;
  NDD_WORK_PENDING: boolean;
  /** nvdimm->sec.ops: the Intel DSM family, the CXL mailbox, or none (a guest without security commands) */
  secOps: 'intel' | 'cxl' | null;
  /** nvdimm->busy: active regions using this DIMM */
  busy: number;
  /** the DIMM driver is bound (to_ndd() != NULL): probe fails while the DIMM stays locked */
  probed: boolean;
}

/** struct nd_region and whether its driver is bound (namespaces up: the memory is mapped) */
export interface NdRegion { mappings: Dev[]; active: boolean }

export type CxlState = 'CXL_CONFIG_IDLE' | 'CXL_CONFIG_ACTIVE' | 'CXL_CONFIG_RESET_PENDING' | 'CXL_CONFIG_COMMIT';

export interface CxlRegion {
  /** cxlr->mode: a pmem region registers an nd_region; a ram region is onlined as memory through dax */
  mode: 'pmem' | 'ram';
  state: CxlState;
  /** the endpoint decoder attached at position 0: its memdev */
  target: Dev | null;
  /** d18bc74aced6 only */
  CXL_REGION_F_INCOHERENT: boolean;
  /** the cxl_region driver is bound (cxl_region_probe succeeded) */
  bound: boolean;
}

export type RegionId = 'region0' | 'region1';

export interface MemregionState {
  cfg: MemregionConfig;
  hw: Hw;
  nvdimm: Record<Dev, Nvdimm>;
  /** region0: NVDIMM region over nmem0+nmem1; region1: what maps the CXL region (its nd_region, or its dax region) */
  regions: Record<RegionId, NdRegion>;
  /** null when the configuration has no CXL region */
  cxlr: CxlRegion | null;
  /** nvdimm_bus->probe_active */
  probe_active: number;
  /** the boot-time device probes are done: user space runs */
  booted: boolean;
  /**
   * Harness-side, no kernel code reads or writes it: the administrator operations of each task
   * (properties/memregion-programs.ts), for the outcome invariant.
   */
  admin: AdminLog;
}

/** The state an administrator operation's outcome depends on and acts on. */
export interface AdminView {
  nvdimm: Record<Dev, Nvdimm>;
  devices: Record<Dev, Device>;
  regions: Record<RegionId, NdRegion>;
  cxlr: CxlRegion | null;
  decodeX: Dev | null;
}

/** One administrator operation (a sysfs write): the view before and after, its return code. */
export interface AdminRecord {
  op: string[];
  /** another task's administrator operation overlapped this one */
  raced: boolean;
  before: AdminView;
  rc: number | null;
  after: AdminView | null;
}

/** per task name: its administrator operations so far, the last one possibly in flight */
export type AdminLog = Record<string, AdminRecord[]>;

export type X = Exec<MemregionState, MemregionEvent>;

/** The device whose media backs an address now, or null when nothing decodes it. */
export function route(hw: Hw, addr: Addr): Dev | null {
  if (addr === 'Y0') return 'nmem0';
  if (addr === 'Y1') return 'nmem1';
  return hw.decodeX;
}

/** The address a device's media sits behind (a CXL memdev only while X decodes to it). */
export const addrOf = (dev: Dev): Addr => (dev === 'nmem0' ? 'Y0' : dev === 'nmem1' ? 'Y1' : 'X0');

export const prov = (p: Provenance): string => `${p.dev}@${p.epoch}`;

/** X86_FEATURE_HYPERVISOR: set by every hypervisor in CPUID */
export const X86_FEATURE_HYPERVISOR = (hw: Hw): boolean => hw.platform !== 'metal';
