/**
 * CPU caches, the hardware side (Intel SDM vol. 3, 11.3 "Methods of caching available": write-back
 * memory; 11.4 cache coherency; WBINVD in vol. 2). Not kernel code: the machine the kernel model
 * runs on. Each simulated CPU stands for a package with its own cache hierarchy (WBINVD acts on
 * every level shared by the threads of a package, CPUID.4:EDX[0] = 0), caching lines
 * addr → (provenance, dirty). The caches are coherent with each other (MESI: a read miss takes a
 * modified line from its owner, which writes it back first; clean lines come from memory) but not
 * with a device whose media changes underneath them: that is the problem
 * cpu_cache_invalidate_memregion() solves.
 *
 * Abstractions: a store modifies part of a line, so it keeps the line's provenance (a line cached
 * before an event stays stale when written); a write-back lands in whatever the address routes to
 * at that moment, and is dropped when nothing decodes it or the DIMM is locked; clean lines are
 * never evicted on their own (an eviction only helps coherence); a clean line is never forwarded
 * from one package to another. What this can hide: bugs that need a capacity eviction, partial-
 * line merges, and a stale clean line forwarded (MESIF F state) from a CPU that wbinvd_on_all_cpus()
 * has not reached yet to one it has already flushed (docs/memregion.md: every design has that
 * window).
 */
import { count, type World } from '../../sim/world.js';
import { route, type Addr, type Dev, type Hw, type Line, type MemregionState, type Provenance } from '../mm/memregion-types.js';

type W = World<MemregionState>;

/** A memory write of a dirty line's data into the media the address routes to now (nowhere when undecoded). */
function memoryWrite(hw: Hw, addr: Addr, data: Provenance): void {
  const dev = route(hw, addr);
  if (dev !== null) hw.devices[dev].cell = { dev: data.dev, epoch: data.epoch };
}

/** The device behind an address that the caller knows is decoded (a mapped region, an enabled fill). */
function decoded(hw: Hw, addr: Addr): Dev {
  const dev = route(hw, addr);
  if (dev === null) throw new Error(`${addr} is not decoded`); // unreached: an assertion, loads and fills need a decoded address
  return dev;
}

/**
 * The line `cpu` holds for a decoded address, filled on a miss: a modified copy elsewhere is
 * written back and shared first; the data comes from the media.
 */
function lookup(hw: Hw, cpu: number, addr: Addr): Line {
  const own = hw.caches[cpu]![addr];
  if (own) return own;
  hw.caches.forEach((cache, c) => {
    const l = cache[addr];
    if (c === cpu || !l?.dirty) return;
    memoryWrite(hw, addr, l);
    l.dirty = false;
  });
  return (hw.caches[cpu]![addr] = { ...hw.devices[decoded(hw, addr)].cell, dirty: false });
}

/** A fill without a demand access: speculation, a prefetcher, firmware. */
export function cache_fill(hw: Hw, cpu: number, addr: Addr): void {
  lookup(hw, cpu, addr);
}

/** A software load through a mapping; what it returned and what the address held are recorded for E-INV1. */
export function cpu_load(hw: Hw, cpu: number, addr: Addr): void {
  const l = lookup(hw, cpu, addr);
  const dev = decoded(hw, addr);
  hw.lastLoad[cpu] = { addr, got: { dev: l.dev, epoch: l.epoch }, held: { dev, epoch: hw.devices[dev].epoch } };
}

/** A software store: read for ownership (other copies invalidated), then the line is dirty. */
export function cpu_store(hw: Hw, cpu: number, addr: Addr): void {
  const l = lookup(hw, cpu, addr);
  hw.caches.forEach((cache, c) => { if (c !== cpu) delete cache[addr]; });
  l.dirty = true;
}

/** A dirty line written back on the cache's own initiative (it stays cached, clean). */
export function cache_writeback(hw: Hw, cpu: number, addr: Addr): void {
  const l = hw.caches[cpu]![addr]!;
  memoryWrite(hw, addr, l);
  l.dirty = false;
}

/** What WBINVD does on bare metal: write back every dirty line of this CPU, then drop every line. */
export function wbinvd_hw(w: W, cpu: number): void {
  const hw = w.k.hw;
  const cache = hw.caches[cpu]!;
  count(w, 'wbinvd');
  for (const addr of Object.keys(cache) as Addr[]) {
    const l = cache[addr]!;
    if (l.dirty) {
      memoryWrite(hw, addr, l);
      count(w, 'lines-written-back');
    }
    count(w, 'lines-invalidated');
    delete cache[addr];
  }
}

/** Every cached copy of `addr` dropped, dirty or not (an emulated media change is coherent: the host's writes snoop them). */
export function cache_drop(hw: Hw, addr: Addr): void {
  for (const cache of hw.caches) delete cache[addr];
}
