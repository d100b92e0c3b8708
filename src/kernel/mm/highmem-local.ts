/**
 * kmap_local_page()/kunmap_local() and kmap_atomic() on the per-task stack, and its save/restore
 * on context switch: mm/highmem.c (v5.11-5.14) kmap_local_idx_push/pop, __kmap_local_pfn_prot,
 * __kmap_local_page_prot, kunmap_local_indexed, __kmap_local_sched_out/in, kmap_local_fork;
 * include/linux/highmem-internal.h; kmap_assert_nomap() in exit_to_user_mode_prepare().
 * Sources: tglx <877dr235wj.fsf@nanos.tec.linutronix.de>; guard-slot fix 66f133ceab74
 * (pte_val() != 0 for guard slots only: live slots keep WARN_ON_ONCE(pte_none())).
 *
 * Abstractions: a map is two steps (push; set_pte and pteval) and an unmap two (pte_clear and
 * pteval; pop), each under preempt_disable(), so an interrupt can nest between them as in the
 * kernel; arch_kmap_local_* hooks are no-ops (x86, xtensa without colouring); the fixmap PTEs are
 * not cached in the TLB model (see pgtable.ts); sched_out runs with irqs off, so it is one step.
 * kmap_atomic() takes migrate_disable() instead of preempt_disable() under PREEMPT_RT.
 */
import { BUG_ON, migrate_disable, migrate_enable, pagefault_disable, pagefault_enable, preempt_disable, preempt_enable, WARN_ON_ONCE, type Gen } from '../../sim/thread.js';
import type { Task } from '../../sim/world.js';
import { kmap_high_get, kunmap_high } from './highmem.js';
import { ctrl, kmapLocalMaps, PAGE_OFFSET, prot_hook, type KmapState, type X } from './kmap-types.js';
import { fix_to_virt, isFixmap, isPkmap, lowmem_address, mk_pte, PKMAP_NR, pte_cleared, pte_none, pte_page } from './pgtable.js';

function kmap_local_idx_push(x: X): number {
  const k = x.w.k;
  const cpu = x.cpuState();
  WARN_ON_ONCE(x, cpu.ctx.some((c) => c.kind === 'hardirq') && !cpu.irqsOff, 'kmap_local_idx_push', 'in_irq() && !irqs_disabled()');
  const c = ctrl(k, x.current().id);
  c.idx += k.KM_INCR;
  const overflow = k.cfg.mutant === 'M-B4-bound' ? c.idx > k.KM_MAX_IDX : c.idx >= k.KM_MAX_IDX;
  BUG_ON(overflow, 'kmap_local_idx_push', `idx ${c.idx} >= KM_MAX_IDX`);
  return c.idx - 1;
}

const slotOf = (k: KmapState, cpu: number, idx: number) => idx + k.KM_MAX_IDX * cpu;

function* __kmap_local_pfn_prot(x: X, page: number, atomic: boolean): Gen<number> {
  const k = x.w.k;
  yield { fn: '__kmap_local_pfn_prot', what: 'migrate_disable(); preempt_disable(); kmap_local_idx_push()' };
  migrate_disable(x);
  preempt_disable(x);
  const task = x.current().id;
  const idx = kmap_local_idx_push(x);
  const slot = slotOf(k, x.cpu(), idx);
  yield { fn: '__kmap_local_pfn_prot', what: `set_pte(fixmap slot ${slot}, page ${page}); preempt_enable()` };
  BUG_ON(!pte_none(k, k.kmap_pte[slot]!), '__kmap_local_pfn_prot', `fixmap slot ${slot} is not pte_none`);
  const pte = mk_pte(page);
  k.kmap_pte[slot] = pte;
  if (k.cfg.mutant !== 'M-B2-pteval') ctrl(k, task).pteval[idx] = pte;
  const vaddr = fix_to_virt(slot);
  x.emit({ type: 'KMAP_LOCAL', task, page, cpu: x.cpu(), atomic, vaddr });
  preempt_enable(x);
  return vaddr;
}

function* map_local(x: X, page: number, atomic: boolean, fn: string): Gen<number> {
  const vaddr = yield* __kmap_local_page_prot(x, page, atomic, fn);
  yield* prot_hook(x, 'kmap_local', page);
  return vaddr;
}

function* __kmap_local_page_prot(x: X, page: number, atomic: boolean, fn: string): Gen<number> {
  const k = x.w.k;
  if (!kmapLocalMaps(k, page)) {
    // no HIGHMEM and no FORCE_MAP: no stack push, which hides LIFO violations on 64-bit
    yield { fn, what: `page_address(page ${page}) (not mapped: lowmem)` };
    const vaddr = lowmem_address(page);
    x.emit({ type: 'KMAP_LOCAL', task: x.current().id, page, cpu: x.cpu(), atomic, vaddr });
    return vaddr;
  }
  // unreached: in page-protection runs: HIGHMEM and FORCE_MAP are off, so every page got page_address() above (the kmap protocol takes it)
  if (k.cfg.ARCH_NEEDS_KMAP_HIGH_GET && !k.cfg.DEBUG_HIGHMEM) { // arch_kmap_local_high_get(): ARM returns NULL with DEBUG_HIGHMEM on a non-VIVT cache
    const vaddr = yield* kmap_high_get(x, page);
    if (vaddr) {
      x.emit({ type: 'KMAP_LOCAL', task: x.current().id, page, cpu: x.cpu(), atomic, vaddr });
      return vaddr;
    }
  }
  return yield* __kmap_local_pfn_prot(x, page, atomic);
}

export function kmap_local_page(x: X, page: number): Gen<number> {
  return map_local(x, page, false, 'kmap_local_page');
}

function* unmap_local(x: X, vaddr: number, page: number, atomic: boolean, fn: string): Gen {
  yield* kunmap_local_indexed(x, vaddr, page, atomic, fn);
  yield* prot_hook(x, 'kunmap_local', page);
}

function* kunmap_local_indexed(x: X, vaddr: number, page: number, atomic: boolean, fn: string): Gen {
  const k = x.w.k;
  const task = x.current().id;
  if (!isFixmap(k, vaddr) && k.cfg.mutant !== 'M-B1') {
    // kmap_high_unmap_local(): a kmap_high_get() pin is undone by kunmap_high()
    if (!k.cfg.DEBUG_KMAP_LOCAL_FORCE_MAP && k.cfg.ARCH_NEEDS_KMAP_HIGH_GET && isPkmap(k, vaddr)) { // unreached: in page-protection runs: x86 has no ARCH_NEEDS_KMAP_HIGH_GET (kmap's ARM variants take it)
      yield* kunmap_high(x, pte_page(k.pkmap_page_table[PKMAP_NR(vaddr)]!), { type: 'KUNMAP_LOCAL', task, page, atomic });
      return;
    }
    yield { fn, what: `0x${vaddr.toString(16)} is not a fixmap address: nothing to pop` };
    // FORCE_MAP: "This _should_ never happen!"; otherwise warn for user addresses only
    const bad = k.cfg.DEBUG_KMAP_LOCAL_FORCE_MAP || vaddr < PAGE_OFFSET;
    WARN_ON_ONCE(x, bad, 'kunmap_local_indexed:range', `0x${vaddr.toString(16)} is not a kmap_local address`);
    x.emit({ type: 'KUNMAP_LOCAL', task, page, atomic });
    return;
  }
  yield { fn, what: `preempt_disable(); pte_clear(top fixmap slot) for 0x${vaddr.toString(16)}` }; // unreached: in page-protection runs: HIGHMEM and FORCE_MAP are off, so kmap_local_page() returns a linear address, never a fixmap one, and the range check above returns
  preempt_disable(x);
  const c = ctrl(k, task);
  const idx = c.idx - 1;
  const slot = slotOf(k, x.cpu(), idx);
  // M-B1 trusts the caller: neither the range check above nor this LIFO check
  if (k.cfg.mutant !== 'M-B1') WARN_ON_ONCE(x, vaddr !== fix_to_virt(slot), 'kunmap_local_indexed:lifo', `0x${vaddr.toString(16)} is not the top mapping`);
  k.kmap_pte[slot] = pte_cleared(k);
  c.pteval[idx] = 0;
  x.emit({ type: 'KUNMAP_LOCAL', task, page, atomic });
  yield { fn, what: 'kmap_local_idx_pop(); preempt_enable(); migrate_enable()' };
  c.idx -= k.KM_INCR;
  BUG_ON(c.idx < 0, 'kmap_local_idx_pop', 'idx < 0');
  preempt_enable(x);
  migrate_enable(x);
}

export function kunmap_local(x: X, vaddr: number, page: number): Gen {
  return unmap_local(x, vaddr, page, false, 'kunmap_local');
}

/** kmap_atomic(): preempt_disable() (PREEMPT_RT: migrate_disable()); pagefault_disable(); then the kmap_local path. */
export function* kmap_atomic(x: X, page: number): Gen<number> {
  yield { fn: 'kmap_atomic', what: 'preempt_disable() (RT: migrate_disable()); pagefault_disable()' };
  // unreached: PREEMPT_RT, which no variant runs (see docs/kmap.md, "Left out"); --preempt rt takes it
  if (x.w.preempt === 'rt') migrate_disable(x);
  else preempt_disable(x);
  pagefault_disable(x);
  return yield* map_local(x, page, true, 'kmap_atomic');
}

export function* kunmap_atomic(x: X, vaddr: number, page: number): Gen {
  yield* unmap_local(x, vaddr, page, true, '__kunmap_atomic');
  yield { fn: '__kunmap_atomic', what: 'pagefault_enable(); preempt_enable() (RT: migrate_enable())' };
  pagefault_enable(x);
  // unreached: PREEMPT_RT, as in kmap_atomic()
  if (x.w.preempt === 'rt') migrate_enable(x);
  else preempt_enable(x);
}

/** Guard slots exist with DEBUG_KMAP_LOCAL; old copies tested another option (B.4 #3). */
function isGuardSlot(k: KmapState, i: number): boolean {
  const on = k.cfg.schedGuardOption === 'DEBUG_KMAP_LOCAL' ? k.cfg.DEBUG_KMAP_LOCAL : k.cfg.DEBUG_HIGHMEM;
  return on && (i & 1) === 0;
}

/** A guard slot's saved PTE is not empty: !pte_none() before 66f133ceab74, pte_val() != 0 after. */
function guardInUse(k: KmapState, pteval: number): boolean {
  return k.cfg.guardTest === 'pte_none' ? !pte_none(k, pteval) : pteval !== 0;
}

/** Whether slot i of `t` holds a mapping to save or restore (warning once on odd states). */
function liveSlot(x: X, t: Task, i: number, fn: string): boolean {
  const k = x.w.k;
  const pteval = ctrl(k, t.id).pteval[i]!;
  if (isGuardSlot(k, i)) {
    WARN_ON_ONCE(x, guardInUse(k, pteval), `${fn}:guard`, `guard slot ${i} of ${t.name} is not empty`);
    return false;
  }
  return !WARN_ON_ONCE(x, pte_none(k, pteval), `${fn}:none`, `slot ${i} of ${t.name} has no saved PTE`);
}

/** prepare_task_switch(): runs with irqs off, so the whole loop is one step. */
export function* __kmap_local_sched_out(x: X, prev: Task): Gen {
  const k = x.w.k;
  const c = ctrl(k, prev.id);
  if (c.idx === 0) return;
  yield { fn: '__kmap_local_sched_out', what: `clear ${prev.name}'s ${c.idx} fixmap slots` };
  for (let i = 0; i < c.idx; i++) {
    if (!liveSlot(x, prev, i, '__kmap_local_sched_out')) continue;
    if (k.cfg.mutant !== 'M-B2-sched-out') k.kmap_pte[slotOf(k, x.cpu(), i)] = pte_cleared(k);
  }
}

/**
 * finish_task_switch(): irqs are on again, so an interrupt may come between two slots; it is
 * safe because "task::kmap_ctrl.idx is not modified by the unmapping code so a nested kmap_local
 * will use the next unused index".
 */
export function* __kmap_local_sched_in(x: X, next: Task): Gen {
  const k = x.w.k;
  const c = ctrl(k, next.id);
  for (let i = 0; i < c.idx; i++) {
    yield { fn: '__kmap_local_sched_in', what: `restore ${next.name}'s slot ${i}` };
    if (!liveSlot(x, next, i, '__kmap_local_sched_in')) continue;
    k.kmap_pte[slotOf(k, x.cpu(), i)] = c.pteval[i]!;
  }
}

/** copy_process(): the child starts as a copy of the parent's task_struct; kmap_local_fork(). */
export function* fork(x: X, child: (x: X) => Gen): Gen {
  yield { fn: 'copy_process', what: 'dup_task_struct(); kmap_local_fork()' };
  const k = x.w.k;
  const parent = x.current();
  const t = x.spawn(`${parent.name}.child`, child);
  const pc = ctrl(k, parent.id);
  k.kmap_ctrl[t.id] = { idx: pc.idx, pteval: pc.pteval.slice() };
  if (WARN_ON_ONCE(x, pc.idx !== 0, 'kmap_local_fork', 'child inherits kmap_ctrl.idx') && k.cfg.mutant !== 'M-B4-fork') { // unreached: in page-protection runs: without HIGHMEM kmap_local_page() pushes nothing, so kmap_ctrl.idx is 0 at fork
    k.kmap_ctrl[t.id] = { idx: 0, pteval: pc.pteval.map(() => 0) };
  }
  x.emit({ type: 'FORK', parent: parent.id, child: t.id });
}

/** exit_to_user_mode_prepare(): kmap_assert_nomap() = DEBUG_LOCKS_WARN_ON(current->kmap_ctrl.idx). */
export function* exit_to_user_mode(x: X): Gen {
  // exit_to_user_mode_loop() reschedules here when asked to: a scheduling point of every preemption model
  yield { fn: 'exit_to_user_mode_prepare', what: 'kmap_assert_nomap()', resched: 'user' };
  const t = x.current();
  // DEBUG_LOCKS_WARN_ON() warns once for all its call sites: debug_locks_off()
  if (x.w.k.cfg.mutant !== 'M-B4-nomap') WARN_ON_ONCE(x, ctrl(x.w.k, t.id).idx !== 0, 'debug_locks', 'kmap_assert_nomap: kmap_ctrl.idx != 0 at return to user');
  x.emit({ type: 'RETURN_TO_USER', task: t.id });
}
