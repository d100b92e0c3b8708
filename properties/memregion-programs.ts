/**
 * What administrators, software and other modules do in a memregion workload: ndctl/cxl-cli
 * style sysfs writes (bind and unbind a region, DIMM probe with unlock, secure erase and
 * overwrite, CXL target, commit, bind), loads and stores through a region's mapping while it is
 * mapped, and loading a module outside the DEVMEM namespace that wants a global cache flush.
 */
import { cpu_load, cpu_store } from '../src/kernel/hw/cpu-cache.js';
import { cpu_cache_invalidate_memregion } from '../src/kernel/include/linux/memregion.js';
import { attach_target, commit_store, cxl_region_bind, cxl_region_unbind } from '../src/kernel/drivers/cxl/core/region.js';
import { nvdimm_bind, security_store } from '../src/kernel/drivers/nvdimm/dimm.js';
import { nd_region_bind, nd_region_unbind } from '../src/kernel/drivers/nvdimm/region.js';
import { load_module, type Module } from '../src/kernel/kernel/module/main.js';
import { ENODEV, type AdminView, type Addr, type Dev, type MemregionState, type X } from '../src/kernel/mm/memregion-types.js';
import { wake_up, type Gen } from '../src/sim/thread.js';
import { wait_event } from '../src/kernel/include/linux/wait.js';
import { count } from '../src/sim/world.js';

/** One operation; tuples keep replay tokens short. */
export type Op =
  | ['enable'] | ['disable']
  | ['unlock', Dev] | ['erase', Dev] | ['overwrite', Dev]
  | ['load', Addr] | ['store', Addr]
  | ['attach', Dev] | ['commit'] | ['decommit'] | ['bind'] | ['unbind']
  | ['modprobe'];

/** A module outside the DEVMEM namespace (say, a GPU driver) that wants a global flush and does not ask has() first. */
const foreign: Module = {
  name: 'foreign', imports: [], uses: ['cpu_cache_invalidate_memregion'],
  *init(x) { return yield* cpu_cache_invalidate_memregion(x); },
};

/** The region that maps an address: the NVDIMM region for Y, the CXL pmem region's for X. */
const regionOf = (addr: Addr) => (addr === 'X0' ? 'region1' : 'region0');

function* access(x: X, addr: Addr, store: boolean): Gen {
  yield { fn: store ? 'memcpy_to_pmem' : 'memcpy_from_pmem', what: `${store ? 'store to' : 'load from'} ${addr}` };
  // the mapping exists only while the region is enabled (the I/O path quiesces before remove)
  if (!x.w.k.regions[regionOf(addr)].active) return;
  (store ? cpu_store : cpu_load)(x.w.k.hw, x.cpu(), addr);
}

const CXL_OPS = new Set(['attach', 'commit', 'decommit', 'bind', 'unbind']);

/** Runs one operation; returns what the sysfs write (or the syscall) returned. */
function* run(x: X, op: Op): Gen<number> {
  // without a CXL region there is no regionN device to write to (-ENODEV)
  if (CXL_OPS.has(op[0]) && !x.w.k.cxlr) return ENODEV;
  switch (op[0]) {
    case 'enable': return yield* nd_region_bind(x, 'region0');
    case 'disable': yield* nd_region_unbind(x, 'region0'); return 0;
    case 'unlock': return yield* nvdimm_bind(x, op[1]);
    case 'erase':
    case 'overwrite': return yield* security_store(x, op[1], op[0]);
    case 'load':
    case 'store': yield* access(x, op[1], op[0] === 'store'); return 0;
    case 'attach': return yield* attach_target(x, op[1]);
    case 'commit':
    case 'decommit': return yield* commit_store(x, op[0] === 'commit');
    case 'bind': return yield* cxl_region_bind(x);
    case 'unbind': yield* cxl_region_unbind(x); return 0;
    case 'modprobe': return yield* load_module(x, foreign);
  }
}

/** Operations that change no configuration: they race nothing and nothing is claimed of them. */
const DATA_OPS = new Set(['load', 'store', 'modprobe']);

/** The state an administrator operation depends on and acts on (a copy: the World has no aliasing). */
export function view(k: MemregionState): AdminView {
  return JSON.parse(JSON.stringify({ nvdimm: k.nvdimm, devices: k.hw.devices, regions: k.regions, cxlr: k.cxlr, decodeX: k.hw.decodeX })) as AdminView;
}

/**
 * An administrator operation, recorded for memregion/outcome (properties/memregion-outcome.ts):
 * the view before and after, the return code, and whether another task's administrator operation
 * overlapped it. Every record is kept (a task runs a few operations): the next operation starts
 * in the same step as this one ends. Harness code: the kernel model never sees k.admin.
 */
function* admin(x: X, op: Op): Gen<number> {
  if (DATA_OPS.has(op[0])) return yield* run(x, op);
  const log = x.w.k.admin;
  const me = x.current().name;
  const others = Object.entries(log).flatMap(([t, rs]) => (t === me ? [] : rs.filter((r) => r.after === null)));
  for (const r of others) r.raced = true;
  const mine = (log[me] ??= []);
  const i = mine.push({ op: [...op], raced: others.length > 0, before: view(x.w.k), rc: null, after: null }) - 1;
  const rc = yield* run(x, op);
  Object.assign(mine[i]!, { rc, after: view(x.w.k) });
  return rc;
}

/**
 * Boot with locked devices and the key in the keyring (kernel_init): every DIMM and cxl_nvdimm
 * probe, which unlocks, before the NVDIMM region is registered and probed (nd_synchronize() in
 * nvdimm_bus_check_dimm_count()); user space starts afterwards.
 */
export function* boot(x: X, locked: readonly Dev[]): Gen {
  for (const dev of locked) yield* admin(x, ['unlock', dev]);
  yield* admin(x, ['enable']);
  x.w.k.booted = true;
  wake_up(x.w, BOOT_WAIT);
}

const BOOT_WAIT = 'kernel_init';

export function* program(x: X, ops: readonly Op[]): Gen {
  yield* wait_event(x, BOOT_WAIT, () => x.w.k.booted, 'kernel_init');
  for (const op of ops) {
    // one user-visible operation: the denominator of `kcheck compare` costs
    count(x.w, 'ops');
    yield* admin(x, op);
  }
}

export const describeOp = (op: Op): string => (op.length === 2 ? `${op[0]} ${op[1]}` : op[0]);
