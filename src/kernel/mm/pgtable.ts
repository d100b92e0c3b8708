/**
 * PTE encoding and translation. The empty encoding and the "none" predicate differ per
 * architecture (the lesson of 66f133ceab74): on xtensa pte_clear() writes a non-zero value and
 * pte_none(__pte(0)) is false.
 */
import { count } from '../../sim/world.js';
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

/** The MMU: the page a kernel virtual address reaches from `cpu`, or 'fault'. */
function translate(k: KmapState, cpu: number, vaddr: number): number | 'fault' {
  if (vaddr >= PAGE_OFFSET) return vaddr - PAGE_OFFSET; // the linear map never changes
  let pte: number | undefined;
  if (isPkmap(k, vaddr)) {
    const tlb = k.tlb[cpu]!;
    pte = tlb[vaddr];
    if (pte === undefined) {
      pte = k.pkmap_page_table[PKMAP_NR(vaddr)]!;
      if (pte_present(pte)) tlb[vaddr] = pte; // the walk fills the TLB
    }
  } else if (isFixmap(k, vaddr)) {
    pte = k.kmap_pte[vaddr - FIXADDR_KMAP]!;
  }
  return pte !== undefined && pte_present(pte) ? pte_page(pte) : 'fault';
}

/** A read or write of a mapped page through `vaddr` (memcpy, copy_page ...). */
export function* access(x: X, fn: string, vaddr: number, page: number, write: boolean) {
  yield { fn, what: `${write ? 'write' : 'read'} page ${page} via 0x${vaddr.toString(16)}` };
  const k = x.w.k;
  const reached = translate(k, x.cpu(), vaddr);
  if (reached !== 'fault' && write) k.data[reached] = k.data[reached]! + 1;
  k.lastAccess = { who: x.current().name, write, vaddr, page, reached };
}

/** flush_tlb_kernel_range() over the pkmap range: an IPI to every other CPU. */
export function flush_tlb_kernel_range(x: X): void {
  const w = x.w;
  for (const tlb of w.k.tlb) for (const v in tlb) delete tlb[v];
  count(w, 'tlb_flush');
  count(w, 'ipi', w.cpus.length - 1);
}
