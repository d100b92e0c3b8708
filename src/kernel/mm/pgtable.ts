/**
 * PTE encoding, the kernel address layout of the kmap family, and the MMU walk of it. The empty
 * encoding and the "none" predicate differ per architecture (the lesson of 66f133ceab74): on
 * xtensa pte_clear() writes a non-zero value and pte_none(__pte(0)) is false.
 *
 * Pkmap translations are cached in the per-CPU TLBs of src/sim/tlb.ts as global entries (kernel
 * mappings carry _PAGE_GLOBAL), filled by accesses and speculatively from any present PTE; the
 * fixmap slots of kmap_local are not cached (kunmap_local flushes its own CPU's entry, and no
 * other CPU may use the address), which is an abstraction: it hides a missing local flush.
 */
import { tlb_translate, type TlbEntry, type Translation } from '../../sim/tlb.js';
import { FIXADDR_KMAP, PAGE_OFFSET, PKMAP_BASE, type KmapState, type X } from './kmap-types.js';

const XTENSA_PTE_NONE = 0x2; // _PAGE_CA_INVALID | _PAGE_USER

export const mk_pte = (page: number) => ((page + 1) << 4) | 1;
export const pte_page = (pte: number) => (pte >> 4) - 1;
export const pte_none = (k: KmapState, pte: number) => (k.cfg.arch === 'xtensa' ? pte === XTENSA_PTE_NONE : pte === 0);
export const pte_present = (pte: number) => (pte & 1) === 1;
/** the value pte_clear() leaves behind */
export const pte_cleared = (k: KmapState) => (k.cfg.arch === 'xtensa' ? XTENSA_PTE_NONE : 0);

export const PKMAP_ADDR = (nr: number) => PKMAP_BASE + nr;
export const PKMAP_NR = (vaddr: number) => vaddr - PKMAP_BASE;
export const fix_to_virt = (slot: number) => FIXADDR_KMAP + slot;
export const lowmem_address = (page: number) => PAGE_OFFSET + page;

export const isPkmap = (k: KmapState, vaddr: number) => vaddr >= PKMAP_BASE && vaddr < PKMAP_BASE + k.LAST_PKMAP;
export const isFixmap = (k: KmapState, vaddr: number) => vaddr >= FIXADDR_KMAP && vaddr < FIXADDR_KMAP + k.kmap_pte.length;

/** The TLB entry a present pkmap PTE gives (PAGE_KERNEL: writable, global). */
const pkmapEntry = (pte: number): TlbEntry => ({ pfn: pte_page(pte), writable: true, global: true });

/** Every translation a CPU's TLB could cache now from the pkmap page table: its present PTEs. */
export function pkmapTranslations(k: KmapState, cpus: number): Translation[] {
  const out: Translation[] = [];
  for (let cpu = 0; cpu < cpus; cpu++) {
    k.pkmap_page_table.forEach((pte, nr) => {
      if (pte_present(pte)) out.push({ cpu, pcid: 0, va: PKMAP_ADDR(nr), entry: pkmapEntry(pte) });
    });
  }
  return out;
}

/** The TLB entry a PTE gives if it is present. */
// unreached: a none PTE here is a fault, see translate()
const entryOf = (pte: number): TlbEntry | undefined => (pte_present(pte) ? pkmapEntry(pte) : undefined);

/**
 * The linear map, set up at boot, never changes and covers every page but the highmem ones
 * (with HIGHMEM, ZONE_HIGHMEM lies past the directly mapped memory: page_address() is NULL).
 * Stated from the page layout, not through PageHighMem(), which is kernel code under test.
 */
const linearMapped = (k: KmapState, page: number) => !(k.cfg.HIGHMEM && k.highmem[page]);

/** The MMU: the page a kernel virtual address reaches from `cpu`, or 'fault'. */
function translate(k: KmapState, cpu: number, vaddr: number): number | 'fault' {
  if (vaddr >= PAGE_OFFSET) return linearMapped(k, vaddr - PAGE_OFFSET) ? vaddr - PAGE_OFFSET : 'fault'; // unreached: kmap() and kmap_local_page() return a linear address only for a page that is not PageHighMem(), the pages the linear map covers, and callers access only addresses a map returned
  // callers use only addresses that a map returned: pkmap, fixmap or linear
  const e = isPkmap(k, vaddr)
    ? tlb_translate(k.tlb[cpu]!, 0, vaddr, () => entryOf(k.pkmap_page_table[PKMAP_NR(vaddr)]!))
    : entryOf(k.kmap_pte[vaddr - FIXADDR_KMAP]!);
  // a fault needs an access through a mapping that is gone; callers access only what they hold, and
  // unreached: the bugs that take a held mapping away fail B-INV3 or B-INV6 in the step they do it
  return e ? e.pfn : 'fault';
}

/**
 * A read or write of a mapped page through `vaddr` (memcpy, copy_page ...): the caller's access
 * through the MMU, recorded for the kmap/data invariant. Harness, not modelled kernel code.
 */
export function* access(x: X, fn: string, vaddr: number, page: number, write: boolean) {
  yield { fn, what: `${write ? 'write' : 'read'} page ${page} via 0x${vaddr.toString(16)}` };
  const k = x.w.k;
  const reached = translate(k, x.cpu(), vaddr);
  if (reached !== 'fault' && write) k.data[reached] = k.data[reached]! + 1;
  k.lastAccess = { who: x.current().name, write, vaddr, page, reached };
}
