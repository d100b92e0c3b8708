/**
 * Text poking (arch/x86/kernel/alternative.c):
 *  - 5.10 (design 'temporary-mm'): use_temporary_mm() with Juergen Gross's leave_mm() when lazy
 *    ("x86/alternative: Don't call text_poke() in lazy TLB mode" <20201009144225.12019-1-jgross@suse.com>,
 *    Fixes cefa929c034e) and hw_breakpoint_disable(); __text_poke() in its 13 steps: pages,
 *    PAGE_KERNEL & ~_PAGE_GLOBAL, get_locked_pte(), local_irq_save(), set_pte_at(), use, memcpy,
 *    barrier, pte_clear(), unuse, flush_tlb_mm_range() after unuse ("IPIs ... not if the mm is not
 *    used, as it is in this point"), BUG_ON(memcmp()), local_irq_restore() and unlock.
 *    Without leaveMmWhenLazy it is the 5.2 merge (Nadav Amit / Rick Edgecombe series, 06/17).
 *  - v1 (Jan 2019, 06/17 <20190117003259.23141-7-rick.p.edgecombe@intel.com>): PAGE_KERNEL (global
 *    unless PTI masks it) and __flush_tlb_one_user() per page while poking_mm is still loaded.
 *  - fixmap (pre-5.2): set_fixmap(FIX_TEXT_POKE0/1) in init_mm, memcpy, clear_fixmap(),
 *    local_flush_tlb(): "since remote TLBs are not flushed ... the time-window in which the code is
 *    writable is not limited" (Nadav's changelog).
 * Abstracted: a poke writes one value (its "bytes") to its page or, crossing a page boundary, to
 * both; text pages are addressed by frame (virt_to_page is the identity); KASAN and sync_core()
 * are left out. Mutants of text-poke.md D.5 are the config switches named in TextPokeConfig.
 */
import { BUG_ON, spin_lock, spin_unlock, type Gen } from '../../../../sim/thread.js';
import { FIX_TEXT_POKE0, FIX_TEXT_POKE1, PAGE_SIZE, POKING_MM, type Pte, type X } from '../../../mm/text-poke-types.js';
import { mmu_write } from '../include/asm/tlbflush.js';
import { leave_mm } from '../mm/tlb.js';
import { flush_tlb_mm_range, flush_tlb_one_kernel, native_flush_tlb_local, native_flush_tlb_one_user, switch_mm, TP_OPS } from '../mm/tlb-flush.js';
import { hw_breakpoint_active, hw_breakpoint_disable, hw_breakpoint_restore } from './hw_breakpoint.js';

/** use_temporary_mm(): load `mm` on this CPU only, irqs off; returns the mm to go back to. */
export function* use_temporary_mm(x: X, mm: number): Gen<number> {
  const k = x.w.k;
  const ts = k.cpus[x.cpu()]!.tlbstate;
  // Make sure not to be in TLB lazy mode, as otherwise we'll end up with a stale address space
  // WITHOUT being in lazy mode after restoring the previous mm.
  if (k.cfg.leaveMmWhenLazy && ts.is_lazy) yield* leave_mm(x, TP_OPS);
  const prev = k.cpus[x.cpu()]!.tlbstate.loaded_mm;
  yield* switch_mm(x, mm);
  if (k.cfg.saveDr7 && hw_breakpoint_active(x)) hw_breakpoint_disable(x);
  return prev;
}

export function* unuse_temporary_mm(x: X, prev: number): Gen {
  yield* switch_mm(x, prev);
  if (x.w.k.cfg.saveDr7 && hw_breakpoint_active(x)) hw_breakpoint_restore(x);
}

/** The PTE protection of the alias: PAGE_KERNEL is global unless PTI clears _PAGE_GLOBAL from kernel mappings. */
function pgprot(x: X, clearGlobal: boolean): Omit<Pte, 'pfn'> {
  const k = x.w.k;
  const PAGE_KERNEL_global = !k.cfg.X86_FEATURE_PTI;
  return { rw: true, global: PAGE_KERNEL_global && !clearGlobal };
}

/** __text_poke(addr, opcode, len): `pages` are the text frames the bytes span (one or two). */
export function* __text_poke(x: X, pages: number[], value: number): Gen {
  const k = x.w.k;
  const cfg = k.cfg;
  if (cfg.design === 'fixmap') return yield* text_poke_fixmap(x, pages, value);
  const addr = k.poking_addr;
  const n = pages.length;
  // Map the page without the global bit, as TLB flushing is done with flush_tlb_mm_range(),
  // which is intended for non-global PTEs (v1: PAGE_KERNEL).
  const prot = pgprot(x, cfg.design === 'temporary-mm' && !cfg.pokeGlobal);
  // The lock is not really needed, but this allows to avoid open-coding.
  if (cfg.ptl) yield* spin_lock(x, 'poking_mm ptl', 'get_locked_pte');
  const c = x.cpuState();
  const flags = c.irqsOff;
  if (cfg.irqsOff) c.irqsOff = true;
  yield { fn: '__text_poke', what: `set_pte_at(poking_mm, 0x${addr.toString(16)}${n > 1 ? ' and +PAGE_SIZE' : ''} → p${pages.join(', p')}${prot.global ? ', GLOBAL' : ''})` };
  pages.forEach((pfn, i) => { k.mms[POKING_MM]!.pgd[addr + i * PAGE_SIZE] = { pfn, ...prot }; });
  const prev = yield* use_temporary_mm(x, POKING_MM);
  for (let i = 0; i < n; i++) {
    yield { fn: '__text_poke', what: `memcpy(0x${(addr + i * PAGE_SIZE).toString(16)}, opcode) for p${pages[i]}` };
    BUG_ON(mmu_write(x, 'text_poke', addr + i * PAGE_SIZE, value, { kernel: true }) < 0, 'arch/x86/kernel/alternative.c:__text_poke', 'page fault on poking_addr');
  }
  yield { fn: '__text_poke', what: `pte_clear(poking_mm, 0x${addr.toString(16)}${n > 1 ? ' and +PAGE_SIZE' : ''})${cfg.design === 'v1' ? '; __flush_tlb_one_user()' : ''}` };
  for (let i = 0; i < n; i++) {
    delete k.mms[POKING_MM]!.pgd[addr + i * PAGE_SIZE];
    if (cfg.design === 'v1') native_flush_tlb_one_user(x, addr + i * PAGE_SIZE);
  }
  yield* unuse_temporary_mm(x, prev);
  // Flushing the TLB might involve IPIs, which would require enabled IRQs, but not if the mm is
  // not used, as it is in this point.
  if (cfg.design === 'temporary-mm' && cfg.pokeFlush !== 'none') {
    yield* flush_tlb_mm_range(x, POKING_MM, addr, addr + n * PAGE_SIZE, { freed_tables: false, incGen: cfg.pokeFlush !== 'no-inc-gen' });
  }
  yield { fn: '__text_poke', what: 'BUG_ON(memcmp(addr, opcode, len)); local_irq_restore(); pte_unmap_unlock()' };
  for (const pfn of pages) BUG_ON(k.mem[pfn] !== value, 'arch/x86/kernel/alternative.c:__text_poke', `memcmp: p${pfn} holds ${k.mem[pfn]}, not ${value}`);
  x.cpuState().irqsOff = flags;
  if (cfg.ptl) spin_unlock(x, 'poking_mm ptl');
}

/** The pre-5.2 text_poke(): the alias in init_mm's fixmap, seen by every CPU's page tables. */
function* text_poke_fixmap(x: X, pages: number[], value: number): Gen {
  const k = x.w.k;
  const slots = [FIX_TEXT_POKE0, FIX_TEXT_POKE1];
  const c = x.cpuState();
  const flags = c.irqsOff;
  c.irqsOff = true;
  // set_fixmap() -> __set_fixmap() -> set_pte_vaddr(): the PTE, then a local INVLPG of it
  yield { fn: 'text_poke', what: `set_fixmap(FIX_TEXT_POKE0${pages.length > 1 ? '/1' : ''}, p${pages.join(', p')})` };
  pages.forEach((pfn, i) => {
    k.kernel[slots[i]!] = { pfn, ...pgprot(x, false) };
    flush_tlb_one_kernel(x, slots[i]!);
  });
  for (let i = 0; i < pages.length; i++) {
    yield { fn: 'text_poke', what: `memcpy(FIX_TEXT_POKE${i}, opcode) for p${pages[i]}` };
    BUG_ON(mmu_write(x, 'text_poke', slots[i]!, value, { kernel: true }) < 0, 'arch/x86/kernel/alternative.c:text_poke', 'page fault on the fixmap');
  }
  yield { fn: 'text_poke', what: `clear_fixmap(FIX_TEXT_POKE0${pages.length > 1 ? '/1' : ''}); local_flush_tlb()` };
  pages.forEach((_, i) => {
    delete k.kernel[slots[i]!];
    flush_tlb_one_kernel(x, slots[i]!);
  });
  native_flush_tlb_local(x);
  yield { fn: 'text_poke', what: 'BUG_ON(memcmp); local_irq_restore()' };
  for (const pfn of pages) BUG_ON(k.mem[pfn] !== value, 'arch/x86/kernel/alternative.c:text_poke', `p${pfn} holds ${k.mem[pfn]}, not ${value}`);
  c.irqsOff = flags;
}
