/**
 * kmap()/kunmap() over the HIGHMEM pkmap pool: mm/highmem.c (v5.11-5.14 era) kmap_high,
 * map_new_virtual, flush_all_zero_pkmaps, kunmap_high. Steps that run under kmap_lock and touch
 * only pkmap state are folded into one step each: no other CPU can observe their middle.
 * "A count must never go down to zero without a TLB flush!" (kunmap_high comment).
 */
import { BUG_ON, finish_wait, prepare_to_wait, schedule_sleep, spin_lock, spin_unlock, wake_up, waitqueue_active, type Gen } from '../../sim/thread.js';
import { inAtomic } from '../../sim/world.js';
import { PageHighMem, prot_hook, type KmapState, type X } from './kmap-types.js';
import { flush_tlb_kernel_range, lowmem_address, mk_pte, PKMAP_ADDR, PKMAP_NR, pte_cleared, pte_present } from './pgtable.js';

const PKMAP_WAIT = 'pkmap_map_wait';

function set_page_address(k: KmapState, page: number, vaddr: number): void {
  k.page_address[page] = vaddr;
}

/** Slots with count 1 (mapped, unused) go to 0; one TLB flush covers them all. */
function flush_all_zero_pkmaps(x: X): void {
  const k = x.w.k;
  let need_flush = false;
  for (let i = 0; i < k.LAST_PKMAP; i++) {
    if (k.pkmap_count[i] !== 1) continue;
    k.pkmap_count[i] = 0;
    const pte = k.pkmap_page_table[i]!;
    BUG_ON(!pte_present(pte), 'flush_all_zero_pkmaps', `pkmap slot ${i} has count 1 but no PTE`);
    const page = (pte >> 4) - 1;
    k.pkmap_page_table[i] = pte_cleared(k);
    set_page_address(k, page, 0);
    need_flush = true;
  }
  if (need_flush) flush_tlb_kernel_range(x);
}

function* map_new_virtual(x: X, page: number): Gen<number> {
  const k = x.w.k;
  for (;;) {
    yield { fn: 'map_new_virtual', what: `find a free pkmap slot for page ${page}` };
    let found = -1;
    for (let tries = k.LAST_PKMAP; tries > 0; tries--) {
      k.last_pkmap_nr = (k.last_pkmap_nr + 1) % k.LAST_PKMAP;
      if (k.last_pkmap_nr === 0) {
        flush_all_zero_pkmaps(x);
        tries = k.LAST_PKMAP;
      }
      if (k.pkmap_count[k.last_pkmap_nr] === 0) { found = k.last_pkmap_nr; break; }
      if (tries === 1) break;
    }
    if (found >= 0) {
      yield { fn: 'map_new_virtual', what: `set_pte_at(PKMAP_ADDR(${found}), page ${page})` };
      k.pkmap_page_table[found] = mk_pte(page);
      k.pkmap_count[found] = 1;
      set_page_address(k, page, PKMAP_ADDR(found));
      return PKMAP_ADDR(found);
    }
    // Sleep for somebody else to unmap their entries
    prepare_to_wait(x, PKMAP_WAIT);
    spin_unlock(x, 'kmap_lock');
    yield* schedule_sleep(x, 'map_new_virtual');
    finish_wait(x);
    yield* spin_lock(x, 'kmap_lock', 'map_new_virtual');
    // Somebody else might have mapped it while we slept
    if (k.page_address[page]) return k.page_address[page]!;
  }
}

function* kmap_high(x: X, page: number): Gen<number> {
  const k = x.w.k;
  yield* spin_lock(x, 'kmap_lock', 'kmap_high');
  let vaddr = k.page_address[page]!;
  if (!vaddr) vaddr = yield* map_new_virtual(x, page);
  yield { fn: 'kmap_high', what: `pkmap_count[${PKMAP_NR(vaddr)}]++ (page ${page}); unlock_kmap()` };
  const nr = PKMAP_NR(vaddr);
  k.pkmap_count[nr]!++;
  BUG_ON(k.pkmap_count[nr]! < 2, 'kmap_high', `pkmap_count[${nr}] < 2`);
  x.emit({ type: 'KMAP', task: x.current().id, page, atomic: false });
  spin_unlock(x, 'kmap_lock');
  return vaddr;
}

/** kmap(): may sleep; the address is valid in every context until kunmap(). */
export function* kmap(x: X, page: number): Gen<number> {
  const vaddr = yield* kmap_page(x, page);
  yield* prot_hook(x, 'kmap', page);
  return vaddr;
}

function* kmap_page(x: X, page: number): Gen<number> {
  const atomic = inAtomic(x.w, x.cpuState());
  if (atomic || !PageHighMem(x.w.k, page)) {
    yield { fn: 'kmap', what: atomic ? `kmap(page ${page}) in atomic context` : `page_address(page ${page}) (lowmem)` };
    x.emit({ type: 'KMAP', task: x.current().id, page, atomic });
    if (!PageHighMem(x.w.k, page)) return lowmem_address(page);
  }
  return yield* kmap_high(x, page);
}

function* kunmap_high(x: X, page: number): Gen {
  const k = x.w.k;
  yield* spin_lock(x, 'kmap_lock', 'kunmap_high');
  const vaddr = k.page_address[page]!;
  yield { fn: 'kunmap_high', what: `--pkmap_count[${PKMAP_NR(vaddr)}] (page ${page}); unlock_kmap()` };
  BUG_ON(!vaddr, 'kunmap_high', `page ${page} is not mapped`);
  const nr = PKMAP_NR(vaddr);
  let need_wakeup = false;
  switch (--k.pkmap_count[nr]!) {
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
  x.emit({ type: 'KUNMAP', task: x.current().id, page });
  spin_unlock(x, 'kmap_lock');
  if (need_wakeup) {
    yield { fn: 'kunmap_high', what: 'wake_up(&pkmap_map_wait)' };
    wake_up(x.w, PKMAP_WAIT);
  }
}

export function* kunmap(x: X, page: number): Gen {
  if (!PageHighMem(x.w.k, page)) {
    yield { fn: 'kunmap', what: `page ${page} is lowmem: nothing to undo` };
    x.emit({ type: 'KUNMAP', task: x.current().id, page });
  } else {
    yield* kunmap_high(x, page);
  }
  yield* prot_hook(x, 'kunmap', page);
}
