/**
 * The hardware under arch/x86/include/asm/tlbflush.h and special_insns.h, as the text-poke model
 * sees it: MOV to CR3 (with or without NOFLUSH), INVLPG, INVPCID individual-address, and a memory
 * access through the MMU (TLB lookup, else a page walk of the tables CR3 points to, which fills
 * the TLB). Intel SDM vol. 3, 4.10.4: a CR3 write without NOFLUSH drops the non-global entries of
 * the new PCID (of every PCID with CR4.PCIDE=0); INVLPG drops the address in the current PCID and
 * its global entry; INVPCID type 0 drops it in the given PCID only.
 *
 * Abstracted: the access is one step (no partial writes); the walk reads the current PTE, so a
 * present PTE is always what a fill would cache. Counters are the costs `kcheck compare` shows.
 */
import { tlb_fill, tlb_flush, tlb_flush_one, tlb_lookup, type TlbEntry } from '../../../../../sim/tlb.js';
import { count } from '../../../../../sim/world.js';
import { INIT_MM, type Pte, type TextPokeState, type X } from '../../../../mm/text-poke-types.js';

/** The present PTEs of the page tables CR3 points to on `cpu` (user CR3 under PTI: the user half only). */
export function loadedTables(k: TextPokeState, cpu: number): Record<number, Pte> {
  const { mm, user } = k.cpus[cpu]!.cr3;
  const m = k.mms[mm]!;
  if (m.tablesFreed) return {}; // freed page tables: what a walk would find there is garbage
  if (user) return { ...m.pgd };
  return mm === INIT_MM ? { ...k.kernel } : { ...k.kernel, ...m.pgd };
}

export const toEntry = (p: Pte): TlbEntry => ({ pfn: p.pfn, writable: p.rw, global: p.global });

/** MOV to CR3: load `mm`'s pgd with `pcid`; without NOFLUSH the PCID's non-global entries go. */
export function write_cr3(x: X, o: { mm: number; pcid: number; noflush: boolean; user?: boolean }): void {
  const k = x.w.k;
  const cpu = x.cpu();
  k.cpus[cpu]!.cr3 = { mm: o.mm, pcid: o.pcid, user: o.user ?? false };
  count(x.w, 'cr3-write');
  if (o.noflush) return;
  count(x.w, 'tlb-flush-full');
  tlb_flush(x, k.tlb, k.cfg.X86_FEATURE_PCID ? { pcid: o.pcid } : {});
}

/** INVLPG: the address in the current PCID, and its global entry. */
export function invlpg(x: X, va: number): void {
  const k = x.w.k;
  count(x.w, 'tlb-flush-one');
  tlb_flush_one(x, k.tlb, va, k.cfg.X86_FEATURE_PCID ? { pcid: k.cpus[x.cpu()]!.cr3.pcid } : {});
}

/** INVPCID type 0: the address in `pcid`, not the global entry; serializing (Andy: slower than a CR3 write). */
export function invpcid_flush_one(x: X, pcid: number, va: number): void {
  count(x.w, 'invpcid');
  tlb_flush_one(x, x.w.k.tlb, va, { pcid, global: false });
}

/**
 * A write by `who` to `va` on the current CPU, through the TLB of the current PCID (a global
 * entry serves every PCID) or, on a miss, the page walk that fills it. Returns the frame
 * reached, or -1 when the address is not mapped (a #PF for the caller to handle).
 */
export function mmu_write(x: X, who: string, va: number, value: number, o: { kernel: boolean }): number {
  const k = x.w.k;
  const cpu = x.cpu();
  const { mm, pcid } = k.cpus[cpu]!.cr3;
  const tlb = k.tlb[cpu]!;
  const pte = loadedTables(k, cpu)[va];
  const truth = pte ? pte.pfn : -1;
  const hit = tlb_lookup(tlb, pcid, va);
  let reached = -1;
  let via: 'tlb' | 'walk' | 'fault' = 'fault';
  if (hit) {
    reached = hit.pfn;
    via = 'tlb';
  } else if (pte) {
    tlb_fill(tlb, pcid, va, toEntry(pte));
    reached = pte.pfn;
    via = 'walk';
  }
  // what the hardware did, DR7 included: whether a watchpoint fired is the invariants' to judge
  k.lastAccess = { who, cpu, va, mm, pcid, truth, reached, via, kernel: o.kernel, dr7: k.cpus[cpu]!.dr7 };
  if (reached >= 0) k.mem[reached] = value;
  return reached;
}
