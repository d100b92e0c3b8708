/**
 * A user store that finds no PTE (mm/memory.c handle_mm_fault() -> do_anonymous_page(), 5.10):
 * a fresh zeroed page is mapped at the address, unless another thread mapped one meanwhile
 * (the !pte_none() recheck under the PTE lock). A not-present PTE is never cached: no flush.
 */
import { USER_PFN, type X } from './text-poke-types.js';

export function do_anonymous_page(x: X, mm: number, va: number): void {
  const k = x.w.k;
  if (k.mms[mm]!.pgd[va]) return;
  const pfn = USER_PFN + k.nextPfn++;
  k.mem[pfn] = 0;
  k.mms[mm]!.pgd[va] = { pfn, rw: true, global: false };
}
