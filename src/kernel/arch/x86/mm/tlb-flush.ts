/**
 * The flush half of arch/x86/mm/tlb.c (5.10) for the text-poke protocol: invalidate_user_asid()
 * and clear_asid_other() (PTI), load_new_mm_cr3(), flush_tlb_func() (partial flush only when
 * new_tlb_gen == local + 1 == mm_tlb_gen, else full), native_flush_tlb_others() (lazy CPUs skipped
 * unless page tables are freed), flush_tlb_mm_range() with inc_mm_tlb_gen(), native_flush_tlb_local(),
 * native_flush_tlb_one_user() (INVLPG, then INVPCID_SINGLE or the deferred user flush),
 * flush_tlb_one_kernel(), and arch_tlbbatch_flush() with new_tlb_gen = 0.
 * The generation test of flush_tlb_func() is a variant: 5.10; aa44284960d5 "x86/mm/tlb: Avoid
 * reading mm_tlb_gen when possible" (returns when f->new_tlb_gen <= local_tlb_gen, which a zero
 * new_tlb_gen always is); 8f1d56f64f8d "x86/mm/tlb: Ignore f->new_tlb_gen when zero" (Hugh Dickins
 * <4eccbb3a-2b5a-039-e934-da451e469929@google.com>).
 *
 * Abstracted: flush_tlb_func() is one step after its entry (irqs are off: it is local work, but
 * for the tlb_gen read); on_each_cpu_cond_mask() in 5.10 also reruns the flush on the sending CPU,
 * where it finds itself up to date: left out. The flush_tlb_info is a local object (its per-CPU
 * reentrancy check is CONFIG_DEBUG_VM).
 */
import { preempt_disable, preempt_enable, WARN_ON_ONCE, type Gen } from '../../../../sim/thread.js';
import { count } from '../../../../sim/world.js';
import type { CpuId } from '../../../../sim/ids.js';
import type { TextPokeEvent } from '../../../../../model/text-poke.machine.js';
import { INIT_MM, kern_pcid, PAGE_SIZE, TLB_FLUSH_ALL, TLB_GENERATION_INVALID, TLB_NR_DYN_ASIDS, user_pcid, type TextPokeState, type X } from '../../../mm/text-poke-types.js';
import { invlpg, invpcid_flush_one, write_cr3 } from '../include/asm/tlbflush.js';
import { switch_mm_irqs_off, type MmSwitchOps } from './tlb.js';

/** invalidate_user_asid(): flush the user PCID at the next SWITCH_TO_USER_CR3. */
export function invalidate_user_asid(x: X, asid: number): void {
  const k = x.w.k;
  if (!k.cfg.X86_FEATURE_PTI || !k.cfg.X86_FEATURE_PCID || !k.cfg.userFlush) return;
  const mask = k.cpus[x.cpu()]!.tlbstate.user_pcid_flush_mask;
  if (!mask.includes(kern_pcid(asid))) mask.push(kern_pcid(asid));
}

/** clear_asid_other(): every other ASID slot forgets its mm, forcing a flush on its next use. */
export function clear_asid_other(x: X): void {
  const ts = x.w.k.cpus[x.cpu()]!.tlbstate;
  // unreached: a defensive WARN; invalidate_other is set only under PTI
  if (WARN_ON_ONCE(x, !x.w.k.cfg.X86_FEATURE_PTI, 'arch/x86/mm/tlb.c:clear_asid_other', 'invalidate_other without PTI')) return;
  for (let asid = 0; asid < TLB_NR_DYN_ASIDS; asid++) {
    if (asid !== ts.loaded_mm_asid) ts.ctxs[asid]!.ctx_id = 0;
  }
  ts.invalidate_other = false;
}

/** load_new_mm_cr3(): build_cr3() (flush the new PCID) or build_cr3_noflush(). */
function load_new_mm_cr3(x: X, next: number, asid: number, need_flush: boolean): void {
  if (need_flush) invalidate_user_asid(x, asid);
  write_cr3(x, { mm: next, pcid: x.w.k.cfg.X86_FEATURE_PCID ? kern_pcid(asid) : 0, noflush: !need_flush && x.w.k.cfg.X86_FEATURE_PCID });
}

/** Where the text-poke protocol keeps cpu_tlbstate and the mm context. */
export const TP_OPS: MmSwitchOps<TextPokeState, TextPokeEvent> = {
  init_mm: INIT_MM,
  X86_FEATURE_PCID: (k) => k.cfg.X86_FEATURE_PCID,
  asidOffByOne: (k) => k.cfg.asidOffByOne,
  tlbstate: (x) => x.w.k.cpus[x.cpu()]!.tlbstate,
  mm: (x, id) => x.w.k.mms[id]!,
  load_new_mm_cr3,
  clear_asid_other,
};

/** switch_mm_irqs_off() for the text-poke protocol's mms. */
export function switch_mm(x: X, next: number): Gen {
  return switch_mm_irqs_off(x, next, { ops: TP_OPS });
}

/** native_flush_tlb_local(): the deferred user flush, then CR3 rewritten without NOFLUSH. */
export function native_flush_tlb_local(x: X): void {
  const c = x.w.k.cpus[x.cpu()]!;
  invalidate_user_asid(x, c.tlbstate.loaded_mm_asid);
  write_cr3(x, { ...c.cr3, noflush: false });
}

/** native_flush_tlb_one_user(): INVLPG, then the user PCID now (INVPCID_SINGLE) or at return to user. */
export function native_flush_tlb_one_user(x: X, addr: number): void {
  const k = x.w.k;
  const asid = k.cpus[x.cpu()]!.tlbstate.loaded_mm_asid;
  invlpg(x, addr);
  if (!k.cfg.X86_FEATURE_PTI) return;
  if (!k.cfg.X86_FEATURE_INVPCID_SINGLE) invalidate_user_asid(x, asid);
  else invpcid_flush_one(x, user_pcid(asid), addr);
}

/** flush_tlb_one_kernel(): under PTI kernel PTEs are not global, so every other ASID is invalidated lazily. */
export function flush_tlb_one_kernel(x: X, addr: number): void {
  native_flush_tlb_one_user(x, addr);
  if (!x.w.k.cfg.X86_FEATURE_PTI) return;
  x.w.k.cpus[x.cpu()]!.tlbstate.invalidate_other = true;
}

export interface FlushTlbInfo {
  /** the mm to flush, or -1 (NULL: arch_tlbbatch_flush) */
  mm: number;
  start: number;
  end: number;
  freed_tables: boolean;
  new_tlb_gen: number;
  initiating_cpu: number;
}

/** flush_tlb_func(): catch this CPU up to mm_tlb_gen, partially if exactly one generation behind. */
export function* flush_tlb_func(x: X, f: FlushTlbInfo): Gen {
  const k = x.w.k;
  yield { fn: 'flush_tlb_func', what: `flush ${f.mm < 0 ? 'the batch' : `mm${f.mm}`} to tlb_gen ${f.new_tlb_gen}` };
  const ts = k.cpus[x.cpu()]!.tlbstate;
  const loaded_mm = ts.loaded_mm;
  const asid = ts.loaded_mm_asid;
  const local_tlb_gen = ts.ctxs[asid]!.tlb_gen;
  const local = x.cpu() === f.initiating_cpu;
  if (!local) {
    count(x.w, 'tlb-ipi-received');
    // Can only happen on remote CPUs
    if (f.mm >= 0 && f.mm !== loaded_mm) return;
  }
  if (loaded_mm === INIT_MM) return;
  if (ts.is_lazy) {
    // We're in lazy mode: switching to init_mm is barely slower than a minimal flush.
    yield* switch_mm(x, INIT_MM);
    return;
  }
  const zeroSkips = k.cfg.flushGen === 'aa44284960d5';
  if (k.cfg.flushGen !== '5.10' && (zeroSkips || f.new_tlb_gen !== TLB_GENERATION_INVALID) && f.new_tlb_gen <= local_tlb_gen) return;
  const mm_tlb_gen = k.mms[loaded_mm]!.tlb_gen;
  // There's nothing to do: we're already up to date.
  if (local_tlb_gen === mm_tlb_gen) return;
  WARN_ON_ONCE(x, local_tlb_gen > mm_tlb_gen, 'arch/x86/mm/tlb.c:flush_tlb_func', 'local_tlb_gen > mm_tlb_gen');
  WARN_ON_ONCE(x, f.new_tlb_gen > mm_tlb_gen, 'arch/x86/mm/tlb.c:flush_tlb_func', 'f->new_tlb_gen > mm_tlb_gen');
  if (f.end !== TLB_FLUSH_ALL && f.new_tlb_gen === local_tlb_gen + 1 && f.new_tlb_gen === mm_tlb_gen) {
    for (let addr = f.start; addr < f.end; addr += PAGE_SIZE) native_flush_tlb_one_user(x, addr);
  } else {
    native_flush_tlb_local(x);
  }
  // Both paths above update our state to mm_tlb_gen.
  ts.ctxs[asid]!.tlb_gen = mm_tlb_gen;
}

/**
 * native_flush_tlb_others(): flush_tlb_func() on the other CPUs of the mask, as IPIs, and wait.
 * Lazy CPUs are skipped unless page tables are being freed: they flush at their next switch.
 */
export function* native_flush_tlb_others(x: X, mask: () => boolean[], f: FlushTlbInfo): Gen {
  const k = x.w.k;
  yield { fn: 'native_flush_tlb_others', what: `read the cpumask${f.freed_tables ? ' (freed_tables: lazy CPUs too)' : ', skip lazy CPUs'}` };
  const me = x.cpu();
  const waits: (() => boolean)[] = [];
  mask().forEach((on, cpu) => {
    if (!on || cpu === me) return;
    if (!f.freed_tables && k.cpus[cpu]!.tlbstate.is_lazy) return;
    count(x.w, 'ipi');
    waits.push(x.ipi(cpu as CpuId, `flush_tlb_func→cpu${cpu}`, (y) => flush_tlb_func(y as X, f)));
  });
  if (waits.length > 0) yield { fn: 'smp_call_function_many', what: 'wait for the flush IPIs', until: () => waits.every((done) => done()) };
}

/** tlb_single_page_flush_ceiling */
const CEILING = 33;

/**
 * flush_tlb_mm_range(mm, start, end, stride_shift, freed_tables). `incGen: false` is M-D2's
 * flush without inc_mm_tlb_gen().
 */
export function* flush_tlb_mm_range(x: X, mm: number, start: number, end: number, o: { freed_tables: boolean; incGen?: boolean }): Gen {
  const k = x.w.k;
  preempt_disable(x);
  if (end === TLB_FLUSH_ALL || (end - start) / PAGE_SIZE > CEILING) {
    start = 0;
    end = TLB_FLUSH_ALL;
  }
  yield { fn: 'flush_tlb_mm_range', what: `inc_mm_tlb_gen(mm${mm})` };
  // This is also a barrier that synchronizes with switch_mm().
  const new_tlb_gen = o.incGen === false ? k.mms[mm]!.tlb_gen : ++k.mms[mm]!.tlb_gen;
  const info: FlushTlbInfo = { mm, start, end, freed_tables: o.freed_tables, new_tlb_gen, initiating_cpu: x.cpu() };
  if (mm === k.cpus[x.cpu()]!.tlbstate.loaded_mm) {
    const c = x.cpuState();
    c.irqsOff = true;
    yield* flush_tlb_func(x, info);
    c.irqsOff = false;
  }
  const m = k.mms[mm]!;
  if (m.mm_cpumask.some((on, cpu) => on && cpu !== x.cpu())) yield* native_flush_tlb_others(x, () => x.w.k.mms[mm]!.mm_cpumask, info);
  preempt_enable(x);
}

/**
 * arch_tlbbatch_flush() (5.19 with aa44284960d5): the batched flush of try_to_unmap(), for every
 * CPU the batch collected, with mm NULL and new_tlb_gen 0 (TLB_GENERATION_INVALID after the fix).
 */
export function* arch_tlbbatch_flush(x: X, batch: boolean[]): Gen {
  preempt_disable(x);
  const info: FlushTlbInfo = { mm: -1, start: 0, end: TLB_FLUSH_ALL, freed_tables: false, new_tlb_gen: TLB_GENERATION_INVALID, initiating_cpu: x.cpu() };
  if (batch[x.cpu()]) {
    const c = x.cpuState();
    c.irqsOff = true;
    yield* flush_tlb_func(x, info);
    c.irqsOff = false;
  }
  if (batch.some((on, cpu) => on && cpu !== x.cpu())) yield* native_flush_tlb_others(x, () => batch, info);
  batch.fill(false);
  preempt_enable(x);
}
