/**
 * kmap()/kunmap() over the HIGHMEM pkmap pool: mm/highmem.c (v5.11-5.14) kmap_high,
 * map_new_virtual, flush_all_zero_pkmaps, __kmap_flush_unused, kmap_high_get, kunmap_high, and
 * kmap()/kunmap()/kmap_flush_unused() of include/linux/highmem-internal.h. With
 * ARCH_NEEDS_KMAP_HIGH_GET (arch/arm/include/asm/highmem.h) lock_kmap() is spin_lock_irq() and
 * lock_kmap_any() spin_lock_irqsave(); otherwise both are spin_lock().
 *
 * Abstractions: what runs under kmap_lock and touches only pkmap state is one step per stretch
 * between yields (no other CPU can observe its middle: every reader takes kmap_lock, and a
 * speculative TLB fill only sees PTEs before or after the stretch); get_pkmap_color() is 0 (no
 * cache colouring, one wait queue); page_address() is an array (HASHED_PAGE_VIRTUAL's hash
 * and its own lock hide nothing here, every caller holds kmap_lock).
 * "A count must never go down to zero without a TLB flush!" (kunmap_high).
 */
import { BUG_ON, finish_wait, might_sleep, prepare_to_wait, schedule_sleep, spin_lock, spin_unlock, wake_up, waitqueue_active, type Gen } from '../../sim/thread.js';
import { count, inAtomic } from '../../sim/world.js';
import type { KmapEvent } from '../../../model/kmap.machine.js';
import { PageHighMem, prot_hook, type KmapState, type X } from './kmap-types.js';
import { flush_tlb_kernel_range } from './kmap-tlb.js';
import { lowmem_address, mk_pte, PKMAP_ADDR, PKMAP_NR, pte_cleared, pte_none, pte_page } from './pgtable.js';

const PKMAP_WAIT = 'pkmap_map_wait';

/** lock_kmap(): spin_lock(&kmap_lock), or spin_lock_irq() with ARCH_NEEDS_KMAP_HIGH_GET. */
function* lock_kmap(x: X, fn: string): Gen {
  if (x.w.k.cfg.ARCH_NEEDS_KMAP_HIGH_GET) x.cpuState().irqsOff = true;
  yield* spin_lock(x, 'kmap_lock', fn);
}

function unlock_kmap(x: X): void {
  spin_unlock(x, 'kmap_lock');
  if (x.w.k.cfg.ARCH_NEEDS_KMAP_HIGH_GET) x.cpuState().irqsOff = false;
}

/** lock_kmap_any(flags): spin_lock_irqsave() with ARCH_NEEDS_KMAP_HIGH_GET; returns the flags. */
function* lock_kmap_any(x: X, fn: string): Gen<boolean> {
  const flags = x.cpuState().irqsOff;
  if (x.w.k.cfg.ARCH_NEEDS_KMAP_HIGH_GET) x.cpuState().irqsOff = true;
  yield* spin_lock(x, 'kmap_lock', fn);
  return flags;
}

function unlock_kmap_any(x: X, flags: boolean): void {
  spin_unlock(x, 'kmap_lock');
  if (x.w.k.cfg.ARCH_NEEDS_KMAP_HIGH_GET) x.cpuState().irqsOff = flags;
}

function set_page_address(k: KmapState, page: number, vaddr: number): void {
  k.page_address[page] = vaddr;
}

/** Slots with count 1 (mapped, unused) go to 0; one TLB flush covers them all. */
function* flush_all_zero_pkmaps(x: X): Gen {
  const k = x.w.k;
  let need_flush = false;
  for (let i = 0; i < k.LAST_PKMAP; i++) {
    if (k.pkmap_count[i] !== 1) continue;
    k.pkmap_count[i] = 0;
    BUG_ON(pte_none(k, k.pkmap_page_table[i]!), 'flush_all_zero_pkmaps', `pkmap slot ${i} has count 1 but no PTE`);
    const page = pte_page(k.pkmap_page_table[i]!);
    k.pkmap_page_table[i] = pte_cleared(k);
    set_page_address(k, page, 0);
    need_flush = true;
  }
  if (need_flush) yield* flush_tlb_kernel_range(x);
}

/** get_next_pkmap_nr(): LAST_PKMAP is a power of two (LAST_PKMAP_MASK). */
function get_next_pkmap_nr(k: KmapState): number {
  k.last_pkmap_nr = (k.last_pkmap_nr + 1) & (k.LAST_PKMAP - 1);
  return k.last_pkmap_nr;
}

function* map_new_virtual(x: X, page: number): Gen<number> {
  const k = x.w.k;
  let nr: number;
  start: for (;;) {
    yield { fn: 'map_new_virtual', what: `find a free pkmap slot for page ${page}` };
    let n = k.LAST_PKMAP;
    for (;;) {
      nr = get_next_pkmap_nr(k);
      if (nr === 0) { // no_more_pkmaps(): wrapped around
        yield* flush_all_zero_pkmaps(x);
        n = k.LAST_PKMAP;
      }
      if (!k.pkmap_count[nr]) break start; // found a usable entry
      if (--n) continue;
      // Sleep for somebody else to unmap their entries
      count(x.w, 'pkmap_sleep');
      prepare_to_wait(x, PKMAP_WAIT);
      unlock_kmap(x);
      yield* schedule_sleep(x, 'map_new_virtual');
      finish_wait(x);
      yield* lock_kmap(x, 'map_new_virtual');
      // Somebody else might have mapped it while we slept
      if (k.page_address[page]) {
        count(x.w, 'pkmap_mapped_meanwhile');
        return k.page_address[page]!;
      }
      continue start;
    }
  }
  const vaddr = PKMAP_ADDR(nr);
  k.pkmap_page_table[nr] = mk_pte(page);
  k.pkmap_count[nr] = 1;
  set_page_address(k, page, vaddr);
  return vaddr;
}

function* kmap_high(x: X, page: number): Gen<number> {
  const k = x.w.k;
  yield* lock_kmap(x, 'kmap_high');
  let vaddr = k.page_address[page]!;
  if (!vaddr) vaddr = yield* map_new_virtual(x, page);
  yield { fn: 'kmap_high', what: `pkmap_count[${PKMAP_NR(vaddr)}]++ (page ${page}); unlock_kmap()` };
  const nr = PKMAP_NR(vaddr);
  k.pkmap_count[nr]!++;
  BUG_ON(k.pkmap_count[nr]! < 2, 'kmap_high', `pkmap_count[${nr}] < 2`);
  x.emit({ type: 'KMAP', task: x.current().id, page, atomic: false });
  unlock_kmap(x);
  return vaddr;
}

/** kmap(): may sleep; the address is valid in every context until kunmap(). */
export function* kmap(x: X, page: number): Gen<number> {
  const vaddr = yield* kmap_page(x, page);
  yield* prot_hook(x, 'kmap', page);
  return vaddr;
}

function* kmap_page(x: X, page: number): Gen<number> {
  // might_sleep(): a scheduling point of PREEMPT_VOLUNTARY; in atomic context the statechart
  // refuses the KMAP (B-INV7), where the kernel says "sleeping function called from invalid context"
  yield* might_sleep('kmap');
  const atomic = inAtomic(x.w, x.cpuState());
  if (atomic || !PageHighMem(x.w.k, page)) {
    // unreached: in page-protection runs the atomic arm: its callers never kmap() with preemption, bottom halves or irqs off
    yield { fn: 'kmap', what: atomic ? `kmap(page ${page}) in atomic context` : `page_address(page ${page}) (lowmem)` };
    x.emit({ type: 'KMAP', task: x.current().id, page, atomic });
    if (!PageHighMem(x.w.k, page)) return lowmem_address(page);
  }
  return yield* kmap_high(x, page); // unreached: in page-protection runs: HIGHMEM is off, so every page returned page_address() above
}

/**
 * kmap_high_get(): pin the page's pkmap mapping if it has one (any context); 0 otherwise. No
 * yield after the lock: the caller reports the mapping in the same step.
 */
export function* kmap_high_get(x: X, page: number): Gen<number> {
  const k = x.w.k;
  const flags = yield* lock_kmap_any(x, 'kmap_high_get');
  const vaddr = k.page_address[page]!;
  if (vaddr) {
    BUG_ON(k.pkmap_count[PKMAP_NR(vaddr)]! < 1, 'kmap_high_get', `pkmap_count[${PKMAP_NR(vaddr)}] < 1`);
    k.pkmap_count[PKMAP_NR(vaddr)]!++;
  }
  unlock_kmap_any(x, flags);
  return vaddr;
}

/** kunmap_high(); `ev` is the API call it completes (kunmap(), or kunmap_local() of a kmap_high_get() pin). */
export function* kunmap_high(x: X, page: number, ev: KmapEvent): Gen {
  const k = x.w.k;
  const flags = yield* lock_kmap_any(x, 'kunmap_high');
  const vaddr = k.page_address[page]!;
  yield { fn: 'kunmap_high', what: `--pkmap_count[${PKMAP_NR(vaddr)}] (page ${page}); unlock_kmap_any()` };
  BUG_ON(!vaddr, 'kunmap_high', `page ${page} is not mapped`);
  const nr = PKMAP_NR(vaddr);
  let need_wakeup = false;
  switch (--k.pkmap_count[nr]!) {
    // unreached: a count of 1 means no user, so this needs a kunmap() without its kmap(); callers never do that
    case 0:
      BUG_ON(true, 'kunmap_high', `pkmap_count[${nr}] went to 0`);
      break;
    case 1:
      need_wakeup = waitqueue_active(x.w, PKMAP_WAIT);
      if (k.cfg.mutant === 'M-B5') {
        // M-B5: the last user frees the slot at once, without the flush of flush_all_zero_pkmaps
        k.pkmap_count[nr] = 0;
        k.pkmap_page_table[nr] = pte_cleared(k);
        set_page_address(k, page, 0);
      }
  }
  x.emit(ev);
  unlock_kmap_any(x, flags);
  if (need_wakeup) {
    yield { fn: 'kunmap_high', what: 'wake_up(&pkmap_map_wait)' };
    count(x.w, 'pkmap_wakeup');
    wake_up(x.w, PKMAP_WAIT);
  }
}

export function* kunmap(x: X, page: number): Gen {
  yield* might_sleep('kunmap');
  const ev: KmapEvent = { type: 'KUNMAP', task: x.current().id, page };
  if (!PageHighMem(x.w.k, page)) {
    yield { fn: 'kunmap', what: `page ${page} is lowmem: nothing to undo` };
    x.emit(ev);
  } else { // unreached: in page-protection runs: HIGHMEM is off, so no page is PageHighMem()
    yield* kunmap_high(x, page, ev);
  }
  yield* prot_hook(x, 'kunmap', page);
}

/** kmap_flush_unused(): __kmap_flush_unused() with HIGHMEM, nothing without. */
export function* kmap_flush_unused(x: X): Gen {
  if (!x.w.k.cfg.HIGHMEM) {
    yield { fn: 'kmap_flush_unused', what: 'no HIGHMEM: nothing to flush' };
    return;
  }
  yield* lock_kmap(x, '__kmap_flush_unused');
  yield* flush_all_zero_pkmaps(x);
  unlock_kmap(x);
}
