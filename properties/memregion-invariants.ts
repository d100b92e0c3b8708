/**
 * Invariants E-INV1..E-INV6 of memregion.md E.3, stated from their meaning, the observable ones
 * first: what a load returns, what a write-back leaves in the media. They read the hardware state
 * (cache lines, media provenance, what a guest executed) and the kernel's own records; E-INV4 and
 * part of E-INV6 are enforced by the statechart (model/memregion.machine.ts). memregion/quiescent
 * checks what a finished run leaves behind (an overwrite never completed, a task still queued).
 */
import type { SnapshotFrom } from 'xstate';
import type { memregionMachine } from '../model/memregion.machine.js';
import { defineInvariant, type Invariant } from '../src/protocol.js';
import { INVALIDATE_WARN_SITES } from '../src/kernel/include/linux/memregion.js';
import { DEVS, prov, type Dev, type MemregionState, type RegionId } from '../src/kernel/mm/memregion-types.js';
import type { World } from '../src/sim/world.js';
import { outcomeViolation } from './memregion-outcome.js';

type Inv = Invariant<MemregionState, SnapshotFrom<typeof memregionMachine>>;
type W = World<MemregionState>;

const inv = (i: Inv): Inv => defineInvariant(i);
/** An active region and one of its devices for which `bad` holds, if any. */
function activeOver(w: W, bad: (dev: Dev) => boolean): [RegionId, Dev] | undefined {
  for (const r of ['region0', 'region1'] as const) {
    const d = w.k.regions[r].active ? w.k.regions[r].mappings.find(bad) : undefined;
    if (d) return [r, d];
  }
}

export const memregionInvariants: Inv[] = [
  inv({
    name: 'memregion/E-INV1-no-stale-load',
    description: 'observable: no load of a region returns a line cached before the last media-changing event of the device behind it completed (secure erase, overwrite, unlock), or a line of another device that decoded the address before',
    check(w) {
      for (const [cpu, l] of w.k.hw.lastLoad.entries()) {
        if (l && (l.got.dev !== l.held.dev || l.got.epoch < l.held.epoch)) {
          return `cpu${cpu} loaded ${l.addr} and got ${prov(l.got)}, but ${l.addr} holds ${prov(l.held)}: a line cached before ${l.got.dev === l.held.dev ? `${l.held.dev}'s media changed` : `the address was remapped to ${l.held.dev}`}`;
        }
      }
    },
  }),
  inv({
    name: 'memregion/E-INV2-no-stale-writeback',
    description: 'observable: no dirty line from before a media-changing event is written back into the device after the event starts (it would corrupt freshly erased media or reintroduce secrets; on CXL HDM-DB a MemClnEvict to a device "not prepared to receive"), nor a line of another device that decoded the address before',
    check(w) {
      for (const dev of DEVS) {
        const d = w.k.hw.devices[dev];
        if (d.cell.dev !== dev) return `${dev}'s media holds a line of ${prov(d.cell)} written back after the address was remapped to ${dev}`;
        if (d.cell.epoch < d.epoch) return `${dev}'s media (epoch ${d.epoch}) holds a dirty line of ${prov(d.cell)} written back after the media changed`;
      }
    },
  }),
  inv({
    name: 'memregion/E-INV3-gating',
    description: 'cache invalidation happens only where it works: no WBINVD executes in a guest (KVM ignores it, TDX raises #VE), the kernel never warns that an invalidation was asked for without support, and a guest never changes the media or the decode of an assigned device (has() is false there, so those operations must fail)',
    check(w) {
      const hw = w.k.hw;
      if (hw.guestWbinvd > 0) return `a KVM guest executed WBINVD ${hw.guestWbinvd} time(s): trapped and ignored, nothing was written back or invalidated`;
      const site = INVALIDATE_WARN_SITES.find((s) => w.warnedOnce.includes(s));
      if (site) return `the kernel warned at ${site}: an invalidation was requested where cpu_cache_has_invalidate_memregion() is false`;
      if (hw.guestEvent) return `the guest made a ${hw.guestEvent} happen on an assigned device, whose lines it cannot invalidate`;
    },
  }),
  inv({
    name: 'memregion/E-INV4-scope',
    description: 'only DEVMEM importers (NVDIMM, CXL) link against cpu_cache_invalidate_memregion() and cpu_cache_has_invalidate_memregion() (enforced by the statechart at LINK)',
  }),
  inv({
    name: 'memregion/E-INV5-incoherent-mark',
    description: 'no region is active over a device marked incoherent (NDD_INCOHERENT from a successful security op, CXL_REGION_F_INCOHERENT from an attach): activation clears the mark by invalidating, or by a test bypass, first; a mark cleared without a real invalidation shows as a stale load (E-INV1)',
    check(w) {
      const k = w.k;
      const bad = activeOver(w, (d) => k.nvdimm[d].NDD_INCOHERENT);
      if (bad) return `${bad[0]} is active while ${bad[1]} is NDD_INCOHERENT`;
      if (k.cxlr?.bound && k.cxlr.CXL_REGION_F_INCOHERENT) return 'the CXL region is bound while CXL_REGION_F_INCOHERENT is set';
    },
  }),
  inv({
    name: 'memregion/E-INV6-in-flight',
    description: 'no region is active while a media-changing event of one of its devices is in flight (an overwrite runs until a status poll finds it complete), and the media never changes under an active region (statechart at ACTIVATE and MEDIA); the invalidation relied on comes after the event (E-INV1)',
    check(w) {
      const bad = activeOver(w, (d) => w.k.hw.devices[d].overwrite > 0);
      if (bad) return `${bad[0]} is active while ${bad[1]} is being overwritten`;
    },
  }),
  inv({
    name: 'memregion/outcome',
    description: 'an administrator operation that nothing may legitimately make fail succeeds and has its effect: no other administrator operation overlapped it, no overwrite of its devices was running, its preconditions held and the cache maintenance it needs is available (has(), or a test bypass); then a DIMM probe unlocks, an erase or overwrite of an idle DIMM changes its media, an enable activates region0, a commit of a configured CXL region decodes it, a decommit resets it, a bind of a committed region binds it (properties/memregion-outcome.ts)',
    check(w) {
      for (const [task, rs] of Object.entries(w.k.admin)) {
        for (const r of rs) {
          const bad = outcomeViolation(r, w.k);
          if (bad) return `${task}: ${bad}`;
        }
      }
    },
  }),
  inv({
    name: 'memregion/quiescent',
    description: 'when every task has ended: every overwrite has completed (the device reports it done and the work cleared NDD_SECURITY_OVERWRITE and NDD_WORK_PENDING), no probe is in flight and no lock is held (that no task ended queued on a wait queue is kernel/quiescent)',
    final: true,
    check(w) {
      const k = w.k;
      for (const d of DEVS) {
        if (k.hw.devices[d].overwrite > 0) return `${d} is still being overwritten: nothing polled it to completion`;
        const n = k.nvdimm[d];
        if (n.NDD_SECURITY_OVERWRITE || n.NDD_WORK_PENDING) return `${d} still has ${n.NDD_SECURITY_OVERWRITE ? 'NDD_SECURITY_OVERWRITE' : 'NDD_WORK_PENDING'} set`;
      }
      if (k.probe_active !== 0) return `probe_active is ${k.probe_active}`;
      const lock = Object.keys(w.locks)[0];
      if (lock !== undefined) return `${lock} is still held`;
    },
  }),
];
