/**
 * Per-CPU TLBs, the hardware side (Intel SDM vol. 3, 4.10 "Caching translation information"):
 * entries are tagged with a PCID unless global; a global entry serves every PCID. The hardware
 * may fill an entry at any time from a present PTE of the page tables loaded in CR3, not only on
 * an access (speculative fills), and keeps it until an invalidation: that is why a PTE cleared
 * without a flush can still be used. Protocols keep one Tlb per CPU in their state and offer the
 * speculative fills as environment actions (see `speculativeFills`).
 */
import type { EnvAction } from '../protocol.js';
import type { Exec } from './thread.js';
import type { World } from './world.js';

export interface TlbEntry {
  /** the page frame the translation leads to */
  pfn: number;
  writable: boolean;
  global: boolean;
}

/** One CPU's TLB: `${pcid}:${va}` for PCID-tagged entries, `g:${va}` for global ones. */
export type Tlb = Record<string, TlbEntry>;

const key = (pcid: number, va: number, global: boolean) => (global ? `g:${va}` : `${pcid}:${va}`);

/** The entry an access through `va` uses under `pcid`, if any (a global entry matches any PCID). */
export function tlb_lookup(tlb: Tlb, pcid: number, va: number): TlbEntry | undefined {
  return tlb[`g:${va}`] ?? tlb[`${pcid}:${va}`];
}

export function tlb_fill(tlb: Tlb, pcid: number, va: number, e: TlbEntry): void {
  tlb[key(pcid, va, e.global)] = { ...e };
}

/**
 * INVLPG / INVPCID individual address, executed by the CPU of `x`: the entries for `va` under
 * `o.pcid` and the global one (`pcid` undefined: under every PCID) in that CPU's TLB, the only one
 * an instruction can reach (other CPUs' TLBs are flushed by IPIs to them). `o.global: false` keeps
 * the global entry, as INVPCID type 0 does (SDM: "except global translations"); INVLPG removes it.
 * `o.broadcast`: ARM's TLBI ...IS, which every CPU's TLB obeys (SMP hardware broadcast).
 */
export function tlb_flush_one<K, E>(x: Exec<K, E>, tlbs: Tlb[], va: number, o: { pcid?: number; global?: boolean; broadcast?: boolean } = {}): void {
  for (const tlb of o.broadcast ? tlbs : [tlbs[x.cpu()]!]) {
    for (const k of Object.keys(tlb)) {
      const [tag, at] = k.split(':');
      if (Number(at) !== va) continue;
      if (tag === 'g' ? o.global !== false : o.pcid === undefined || Number(tag) === o.pcid) delete tlb[k];
    }
  }
}

/** Every entry of a TLB with its tag: `pcid` is null for a global entry. */
export function tlb_entries(tlb: Tlb): { pcid: number | null; va: number; entry: TlbEntry }[] {
  return Object.entries(tlb).map(([k, entry]) => {
    const [tag, at] = k.split(':');
    return { pcid: tag === 'g' ? null : Number(tag), va: Number(at), entry };
  });
}

/**
 * A non-global flush of the TLB of the CPU of `x`: MOV CR3 without NOFLUSH (the entries of that
 * PCID; every PCID without PCIDs enabled) or INVPCID single-context; `global`: INVPCID
 * all-context including globals (or a CR4.PGE toggle).
 */
export function tlb_flush<K, E>(x: Exec<K, E>, tlbs: Tlb[], o: { pcid?: number; global?: boolean } = {}): void {
  const tlb = tlbs[x.cpu()]!;
  for (const k of Object.keys(tlb)) {
    const tag = k.split(':')[0]!;
    if (tag === 'g' ? o.global === true : o.pcid === undefined || Number(tag) === o.pcid) delete tlb[k];
  }
}

/**
 * The MMU on an access through `va` under `pcid`: the cached entry if there is one (even a
 * stale one: that is the point), else the page walk `walk` of the loaded tables, whose result
 * the TLB then caches; undefined when neither translates (a page fault).
 */
export function tlb_translate(tlb: Tlb, pcid: number, va: number, walk: () => TlbEntry | undefined): TlbEntry | undefined {
  const cached = tlb_lookup(tlb, pcid, va);
  if (cached) return cached;
  const e = walk();
  if (e) tlb_fill(tlb, pcid, va, e);
  return e;
}

/** A translation the hardware could cache now on some CPU: a present PTE of its loaded tables. */
export interface Translation { cpu: number; pcid: number; va: number; entry: TlbEntry }

/**
 * The speculative fills possible in this state, one environment action each: every present
 * translation a CPU's loaded page tables allow that its TLB does not hold yet (so the actions
 * end: a filled entry disables its own fill). `tlbs` finds the per-CPU TLBs in a World, so that
 * the fill writes through the view of the World the action is given (and is recorded).
 */
export function speculativeFills<K, E>(w: World<K>, tlbs: (w: World<K>) => Tlb[], present: readonly Translation[],
  describe: (t: Translation) => string = (t) => `0x${t.va.toString(16)} → pfn ${t.entry.pfn}`): EnvAction<K, E>[] {
  const out: EnvAction<K, E>[] = [];
  for (const t of present) {
    const have = tlb_lookup(tlbs(w)[t.cpu]!, t.pcid, t.va);
    if (have && have.pfn === t.entry.pfn && have.writable === t.entry.writable) continue;
    out.push({
      cpu: t.cpu, fn: 'tlb_fill', what: `${describe(t)} (speculative, pcid ${t.pcid}${t.entry.global ? ', global' : ''})`,
      run: (x: Exec<K, E>) => { tlb_fill(tlbs(x.w)[t.cpu]!, t.pcid, t.va, t.entry); },
    });
  }
  return out;
}
