/**
 * Tearing down user mappings (mm/mmap.c, 5.10): __do_munmap() of one page (zap the PTE, then
 * flush_tlb_mm_range() for that page) and exit_mmap() when the last user of an mm goes
 * (unmap_vmas(), free_pgtables(), tlb_finish_mmu(): a flush with freed_tables, which also reaches
 * CPUs in lazy TLB mode, then the page-table pages are freed).
 * Abstracted: one VMA of two pages (poking_addr and the next); the mmu_gather batching is the
 * single flush at the end; the page tables are freed after that flush, as tlb_remove_table() does.
 */
import type { Gen } from '../../sim/thread.js';
import { flush_tlb_mm_range } from '../arch/x86/mm/tlb-flush.js';
import { PAGE_SIZE, TLB_FLUSH_ALL, type X } from './text-poke-types.js';

export function* __do_munmap(x: X, mm: number, va: number): Gen {
  yield { fn: 'zap_pte_range', what: `pte_clear(mm${mm}, 0x${va.toString(16)})` };
  delete x.w.k.mms[mm]!.pgd[va];
  yield* flush_tlb_mm_range(x, mm, va, va + PAGE_SIZE, { freed_tables: false });
}

export function* exit_mmap(x: X, mm: number): Gen {
  yield { fn: 'exit_mmap', what: `unmap_vmas(mm${mm}); free_pgtables()` };
  x.w.k.mms[mm]!.pgd = {};
  yield* flush_tlb_mm_range(x, mm, 0, TLB_FLUSH_ALL, { freed_tables: true });
  yield { fn: 'tlb_finish_mmu', what: `free mm${mm}'s page-table pages` };
  x.w.k.mms[mm]!.tablesFreed = true;
}
