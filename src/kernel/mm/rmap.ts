/**
 * Reclaim's batched unmapping (mm/rmap.c try_to_unmap() with TTU_BATCH_FLUSH and
 * try_to_unmap_flush(), arch/x86/include/asm/tlbbatch.h arch_tlbbatch_add_mm(), 5.19): the PTE is
 * cleared, the mm's tlb_gen bumped and its mm_cpumask collected into the batch; the batch is
 * flushed later by arch_tlbbatch_flush(), whose flush_tlb_info has mm NULL and new_tlb_gen 0:
 * the flush aa44284960d5 skipped (Hugh Dickins <4eccbb3a-2b5a-039-e934-da451e469929@google.com>).
 * Abstracted: one page of one mm, found without the rmap walk.
 */
import type { Gen } from '../../sim/thread.js';
import { arch_tlbbatch_flush } from '../arch/x86/mm/tlb-flush.js';
import type { X } from './text-poke-types.js';

export function* try_to_unmap(x: X, mm: number, va: number, batch: boolean[]): Gen {
  yield { fn: 'try_to_unmap_one', what: `ptep_get_and_clear(mm${mm}, 0x${va.toString(16)}); arch_tlbbatch_add_mm()` };
  const m = x.w.k.mms[mm]!;
  if (m.tablesFreed || !m.pgd[va]) return;
  delete m.pgd[va];
  m.tlb_gen++;
  m.mm_cpumask.forEach((on, cpu) => { if (on) batch[cpu] = true; });
}

export function* try_to_unmap_flush(x: X, batch: boolean[]): Gen {
  if (batch.some(Boolean)) yield* arch_tlbbatch_flush(x, batch);
}
