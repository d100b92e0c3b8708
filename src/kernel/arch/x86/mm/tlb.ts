/**
 * The mm-switch half of arch/x86/mm/tlb.c (5.10, read against the v5.10 tree): choose_new_asid(),
 * switch_mm_irqs_off() with per-CPU ASID slots ctxs[asid] = {ctx_id, tlb_gen}, lazy TLB
 * (enter_lazy_tlb(), leave_mm()), load_new_mm_cr3() with invalidate_user_asid() and
 * clear_asid_other() under PTI. One switch_mm_irqs_off() serves every protocol: a protocol says
 * where it keeps cpu_tlbstate and the mm context (MmSwitchOps), and may hang its own work on the
 * end of the switch (the pasid protocol's load_mm_pasid(), Andy Lutomirski
 * <CALCETrWR1hL=eXAkn=OG1vtAPvC9n1jGqyNuyXpYw8QwPENo1A@mail.gmail.com>, in tlb-pasid.ts).
 *
 * Steps: the mm_cpumask update together with the tlb_gen read is one step (a remote
 * flush_tlb_mm_range() bumps tlb_gen, then reads the mask: every order of the two is explored);
 * the CR3 load with loaded_mm is a second one (irqs are off: only speculative fills can come in
 * between, and they see the CR3 the hardware has). Abstracted: LOADED_MM_SWITCHING (nmi_uaccess_okay),
 * cond_ibpb, CR4/LDT are left out (no NMI users of user memory); the kernel is built without
 * CONFIG_PROVE_LOCKING and CONFIG_DEBUG_VM, so lockdep asserts and VM_WARN_ONs are compiled out
 * (the invariants judge what they would).
 */
import { WARN_ON, WARN_ON_ONCE, type Exec, type Gen } from '../../../../sim/thread.js';
import { count } from '../../../../sim/world.js';
import { TLB_NR_DYN_ASIDS, type CpuTlbState } from '../../../mm/text-poke-types.js';
import { INVALID, type PasidState, type X as PasidX } from '../../../mm/pasid-types.js';
import { load_current_pasid } from '../kernel/fpu/xstate.js';

export interface MmContext { mm_cpumask: boolean[]; ctx_id: number; tlb_gen: number }

/** Where a protocol keeps what switch_mm_irqs_off() reads and writes. */
export interface MmSwitchOps<K, E> {
  /** the id of init_mm in the protocol's mm table */
  init_mm: number;
  X86_FEATURE_PCID(k: K): boolean;
  /** M-D5 (text-poke): a slot one generation behind counts as up to date */
  asidOffByOne?(k: K): boolean;
  /** this CPU's cpu_tlbstate */
  tlbstate(x: Exec<K, E>): CpuTlbState;
  mm(x: Exec<K, E>, id: number): MmContext;
  /**
   * the hardware side of load_new_mm_cr3() (write_cr3, invalidate_user_asid); absent when the
   * protocol models no TLB: then nothing can race with the rest of the switch and it is one step
   */
  load_new_mm_cr3?(x: Exec<K, E>, next: number, asid: number, need_flush: boolean): void;
  /** clear_asid_other() when cpu_tlbstate.invalidate_other is set (PTI) */
  clear_asid_other?(x: Exec<K, E>): void;
}

/** choose_new_asid(): the slot that holds `next`, up to date or not, else the next slot round robin. */
export function choose_new_asid<K, E>(x: Exec<K, E>, ops: MmSwitchOps<K, E>, next: number, next_tlb_gen: number): { new_asid: number; need_flush: boolean } {
  const k = x.w.k;
  if (!ops.X86_FEATURE_PCID(k)) return { new_asid: 0, need_flush: true };
  const ts = ops.tlbstate(x); // unreached: in pasid runs: its switch ops have no PCID, so choose_new_asid() returns ASID 0 above (text-poke takes it)
  if (ts.invalidate_other) ops.clear_asid_other?.(x);
  const ctx_id = ops.mm(x, next).ctx_id;
  for (let asid = 0; asid < TLB_NR_DYN_ASIDS; asid++) {
    if (ts.ctxs[asid]!.ctx_id !== ctx_id) continue;
    const behind = ops.asidOffByOne?.(k) ? 1 : 0;
    return { new_asid: asid, need_flush: ts.ctxs[asid]!.tlb_gen + behind < next_tlb_gen };
  }
  // We don't currently own an ASID slot on this CPU. Allocate a slot.
  let new_asid = ts.next_asid++;
  if (new_asid >= TLB_NR_DYN_ASIDS) {
    new_asid = 0;
    ts.next_asid = 1;
  }
  return { new_asid, need_flush: true };
}

/**
 * switch_mm_irqs_off(prev, next, tsk), prev being ignored as in the kernel (the real previous mm
 * is cpu_tlbstate.loaded_mm): `next` is an mm of the protocol that `o.ops` describes; `o.done`
 * runs at the end. The two-argument form is the pasid protocol's (unchanged interface): `next` is
 * the task switched to, and its load_mm_pasid() is plugged in at the end (see switch_mm_pasid).
 */
export function switch_mm_irqs_off(x: PasidX, next: number): Gen;
export function switch_mm_irqs_off<K, E>(x: Exec<K, E>, next: number, o: { ops: MmSwitchOps<K, E>; done?: (x: Exec<K, E>) => Gen }): Gen;
export function switch_mm_irqs_off<K, E>(x: Exec<K, E>, next: number, o?: { ops: MmSwitchOps<K, E>; done?: (x: Exec<K, E>) => Gen }): Gen {
  // unreached: in text-poke runs (the two-argument form is the pasid protocol's)
  return o ? __switch_mm(x, o.ops, next, o.done) : switch_mm_pasid(x as unknown as PasidX, next);
}

function* __switch_mm<K, E>(x: Exec<K, E>, ops: MmSwitchOps<K, E>, next: number, done?: (x: Exec<K, E>) => Gen): Gen {
  const cpu = x.cpu();
  const ts = ops.tlbstate(x);
  if (ts.loaded_mm === next && !ts.is_lazy) { // unreached: in pasid runs: switch_mm_pasid() switches only to another mm, and its cpu_tlbstate is never lazy
    // Even in lazy TLB mode, the CPU should stay set in the mm_cpumask.
    const m = ops.mm(x, next);
    // unreached: a defensive WARN; lazy CPUs keep their bit in 5.10
    if (WARN_ON_ONCE(x, next !== ops.init_mm && !m.mm_cpumask[cpu], 'arch/x86/mm/tlb.c:switch_mm_irqs_off', 'cpu not in mm_cpumask(next)')) m.mm_cpumask[cpu] = true;
    // switching from one thread in a process to another thread in the same process: no flush
    return yield* finish(x, done);
  }
  // from here on one step: is_lazy, the cpumask and the tlb_gen read (all local, irqs off, but for the masks and tlb_gen)
  yield {
    fn: 'switch_mm_irqs_off',
    what: ts.loaded_mm === next ? `leaving lazy mode: read mm${next}->context.tlb_gen` // unreached: in pasid runs: switch_mm_pasid() switches only to another mm
      : `cpumask_clear_cpu(${cpu}, mm_cpumask(mm${ts.loaded_mm})); cpumask_set_cpu(${cpu}, mm_cpumask(mm${next})); read tlb_gen`,
  };
  const real_prev = ts.loaded_mm;
  const prev_asid = ts.loaded_mm_asid;
  ts.is_lazy = false;
  let new_asid: number;
  let need_flush: boolean;
  let next_tlb_gen: number;
  if (real_prev === next) { // unreached: in pasid runs: switch_mm_pasid() switches only to another mm (its tlbstate is never lazy)
    next_tlb_gen = ops.mm(x, next).tlb_gen;
    if (ts.ctxs[prev_asid]!.tlb_gen === next_tlb_gen) return yield* finish(x, done);
    // TLB contents went out of date while we were in lazy mode.
    new_asid = prev_asid;
    need_flush = true;
  } else {
    // Stop remote flushes for the previous mm; start them for the next one, then read tlb_gen.
    if (real_prev !== ops.init_mm) ops.mm(x, real_prev).mm_cpumask[cpu] = false;
    const n = ops.mm(x, next);
    if (next !== ops.init_mm) n.mm_cpumask[cpu] = true;
    next_tlb_gen = n.tlb_gen;
    ({ new_asid, need_flush } = choose_new_asid(x, ops, next, next_tlb_gen));
  }
  if (ops.load_new_mm_cr3) yield { fn: 'load_new_mm_cr3', what: `CR3 = mm${next}, asid ${new_asid}${need_flush ? '' : ' | NOFLUSH'}` }; // unreached: in pasid runs: it models no TLB, so its switch ops have no load_new_mm_cr3 (text-poke takes it)
  if (need_flush) ts.ctxs[new_asid] = { ctx_id: ops.mm(x, next).ctx_id, tlb_gen: next_tlb_gen };
  ops.load_new_mm_cr3?.(x, next, new_asid, need_flush); // unreached: in pasid runs: it models no TLB, so its switch ops have no load_new_mm_cr3 (text-poke takes it)
  ts.loaded_mm = next;
  ts.loaded_mm_asid = new_asid;
  return yield* finish(x, done);
}

function* finish<K, E>(x: Exec<K, E>, done?: (x: Exec<K, E>) => Gen): Gen {
  // unreached: in text-poke runs (only the pasid protocol hangs work on the end of the switch)
  if (done) yield* done(x);
}

/** enter_lazy_tlb(): a kernel thread keeps the previous mm loaded, marked lazy. */
export function enter_lazy_tlb<K, E>(x: Exec<K, E>, ops: MmSwitchOps<K, E>): void {
  const ts = ops.tlbstate(x);
  if (ts.loaded_mm === ops.init_mm) return;
  ts.is_lazy = true;
}

/** leave_mm(): a lazy CPU switches to init_mm (switch_mm() with irqs saved and disabled). */
export function* leave_mm<K, E>(x: Exec<K, E>, ops: MmSwitchOps<K, E>): Gen {
  const ts = ops.tlbstate(x);
  // unreached: use_temporary_mm() calls leave_mm() only when lazy, and enter_lazy_tlb() never marks init_mm lazy
  if (ts.loaded_mm === ops.init_mm) return;
  WARN_ON(x, !ts.is_lazy, 'arch/x86/mm/tlb.c:leave_mm', 'leave_mm() on a CPU that is not lazy');
  count(x.w, 'leave_mm');
  const c = x.cpuState();
  const flags = c.irqsOff;
  c.irqsOff = true;
  yield* __switch_mm(x, ops, ops.init_mm);
  c.irqsOff = flags;
}

// ---- the pasid protocol's view -------------------------------------------------------------

/**
 * The pasid protocol models no PCIDs and no TLB: its cpu_tlbstate is loaded_mm alone (-1 before
 * any mm, standing for init_mm), the rest is what !X86_FEATURE_PCID makes constant (ASID 0, every
 * switch flushes), and its kernel threads stay in lazy mode on the previous mm.
 */
const PASID_OPS: MmSwitchOps<PasidState, unknown> = {
  init_mm: -1,
  X86_FEATURE_PCID: () => false,
  tlbstate(x) {
    const c = x.w.k.cpus[x.cpu()]!;
    return {
      get loaded_mm() { return c.loaded_mm; },
      set loaded_mm(mm: number) { c.loaded_mm = mm; },
      loaded_mm_asid: 0, is_lazy: false, next_asid: 1, ctxs: [{ ctx_id: 0, tlb_gen: 0 }], user_pcid_flush_mask: [], invalidate_other: false,
    };
  },
  mm: (x, id) => ({ mm_cpumask: x.w.k.mms[id]!.mm_cpumask, ctx_id: id + 2, tlb_gen: 0 }),
};

/**
 * The pasid context switch to task `next`: its mm (a kthread keeps the loaded one, lazily), with
 * Andy's load_mm_pasid() "at the end of the function where it's protected by mm_cpumask":
 * first "xstate[PASID] = READ_ONCE(next->context.pasid)" ("one cache miss"), then the
 * compare-before-write "so we don't dirty the cache line in the common case".
 */
function* switch_mm_pasid(x: PasidX, next: number): Gen {
  const k = x.w.k;
  const c = k.cpus[x.cpu()]!;
  const t = k.tasks[next]!;
  const mm = t.mm >= 0 ? t.mm : c.loaded_mm;
  const andy = k.cfg.design === 'ANDY-2020' && !t.kthread && mm >= 0;
  let pasid = INVALID;
  if (andy && !k.cfg.switchReadsAfterMask) {
    yield { fn: 'load_mm_pasid', what: `pasid = next->context.pasid (mm${mm}), before mm_cpumask is set` };
    pasid = k.mms[mm]!.pasid;
  }
  if (mm !== c.loaded_mm) yield* __switch_mm(x, PASID_OPS as unknown as MmSwitchOps<PasidState, unknown>, mm);
  if (!andy) return;
  if (k.cfg.switchReadsAfterMask) {
    yield { fn: 'load_mm_pasid', what: `READ_ONCE(next->context.pasid) (mm${mm})` };
    pasid = k.mms[mm]!.pasid;
  }
  // the task was switched out, so TIF_NEED_FPU_LOAD is set: the image is what counts
  count(x.w, 'switch-pasid-update');
  load_current_pasid(x, t, pasid, { msr: true, image: k.cfg.compareBeforeWrite });
}
