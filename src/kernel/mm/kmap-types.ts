/**
 * State of the kmap family: the HIGHMEM pkmap pool (mm/highmem.c, v5.11-5.14), the per-CPU fixmap
 * slots and per-task kmap_ctrl of kmap_local (tglx, "sched: highmem: Store local kmaps in task
 * struct" <877dr235wj.fsf@nanos.tec.linutronix.de>), per-CPU TLBs for the pkmap range
 * (src/sim/tlb.ts: global entries, filled by accesses and speculatively), and page contents so
 * that every access can be checked against the page that was mapped.
 */
import type { Exec, Gen } from '../../sim/thread.js';
import type { Tlb } from '../../sim/tlb.js';
import type { KmapEvent } from '../../../model/kmap.machine.js';

/** Build-time configuration and the design or bug a variant stands for. */
export interface KmapConfig {
  HIGHMEM: boolean;
  /** KM_INCR = 2: every other slot is an unmapped guard */
  DEBUG_KMAP_LOCAL: boolean;
  DEBUG_KMAP_LOCAL_FORCE_MAP: boolean;
  /** the option a 5.1x-era copy of __kmap_local_sched_{in,out} tested for guard slots */
  DEBUG_HIGHMEM: boolean;
  /** xtensa: a zero PTE value is not pte_none(); arm: see ARCH_NEEDS_KMAP_HIGH_GET */
  arch: 'x86' | 'xtensa' | 'arm';
  /** which option sched_out/in consult for guard slots (B.4 #3: DEBUG_HIGHMEM in old copies) */
  schedGuardOption: 'DEBUG_KMAP_LOCAL' | 'DEBUG_HIGHMEM';
  /** guard-slot test in sched_out/in: pte_none() before 66f133ceab74, pte_val() != 0 after */
  guardTest: 'pte_none' | 'pte_val';
  /**
   * arch/arm/include/asm/highmem.h (default false): lock_kmap() is spin_lock_irq() (kmap_lock is
   * taken with irqs off everywhere) and kmap_local_page()/kmap_atomic() of a page that has a pkmap
   * address pin it with kmap_high_get() instead of pushing a fixmap slot
   */
  ARCH_NEEDS_KMAP_HIGH_GET?: boolean;
  /**
   * flush_tlb_kernel_range() by hardware broadcast (ARMv7 SMP: a TLBI that every CPU obeys, no
   * IPI) instead of x86's on_each_cpu() IPIs (default false: IPIs)
   */
  tlbBroadcast?: boolean;
  /** an implementation mutant (M-B*), if any */
  mutant?: 'M-B1' | 'M-B2-pteval' | 'M-B2-sched-out' | 'M-B4-bound' | 'M-B4-fork' | 'M-B4-nomap' | 'M-B5' | 'M-B5-nowait' | 'M-B5-local';
  /** arch/loongarch copy_user_highpage() unmapping in map order (Fixes 477a0ebec101) */
  loongarchCopy: boolean;
}

/** Shape of generated workloads a variant needs (callers are part of some bugs). */
export interface KmapWorkloadShape {
  /**
   * callers nest kmap()s without a pool sized for it (B.4 #6): LAST_PKMAP is drawn freely. Else
   * the pool is at least the deadlock-free bound the kernel's 512/1024 slots stand for
   */
  nestedKmap: boolean;
  /** a caller may nest KM_MAX_IDX local mappings, one more than the stack holds (M-B4) */
  deepNest: boolean;
  /** an interrupt handler may return with its kmap_local still mapped (M-B3) */
  irqLeak: boolean;
  /** a task may fork or return to user while holding a local mapping (M-B4 fork/nomap) */
  leakAcrossUser: boolean;
  /** a hardirq handler may local_irq_enable() around its kmap_local (kmap_local_idx_push's WARN) */
  irqsOnInHardirq?: boolean;
  /** a task may call kmap() inside a kmap_atomic() section (atomic context: might_sleep()) */
  kmapInAtomic?: boolean;
}

/**
 * Page access protection plugged into the kmap family (PKS: RFC V2 13/17
 * <20200717072056.73134-14-ira.weiny@intel.com>, V10 33/44 <20220419170649.1022246-34-ira.weiny@intel.com>).
 * Each hook runs right after the call's spec event, and its first action happens in that same
 * step (before its first yield), so a grant or revoke is atomic with the mapping's linearization.
 */
export interface PageProtectionHooks {
  kmap?(x: X, page: number): Gen;
  kunmap?(x: X, page: number): Gen;
  kmap_local?(x: X, page: number): Gen;
  kunmap_local?(x: X, page: number): Gen;
}

/** Runs a protection hook, if the protocol plugged one in. */
export function* prot_hook(x: X, hook: keyof PageProtectionHooks, page: number): Gen {
  const h = x.w.k.prot?.[hook]; // unreached: only page-protection plugs protection hooks in; kmap runs without
  if (h) yield* h(x, page);
}

export interface KmapCtrl { idx: number; pteval: number[] }

export interface Access { who: string; write: boolean; vaddr: number; page: number; reached: number | 'fault' }

/** The pkmap pool and the TLBs as a caller of kmap_flush_unused() found them when it returned. */
export interface FlushReturn { who: string; pkmap_count: number[]; tlb: Tlb[] }

export interface KmapState {
  cfg: KmapConfig;
  KM_INCR: number;
  KM_MAX_IDX: number;
  LAST_PKMAP: number;
  /** per page: PageHighMem() before the HIGHMEM option is applied */
  highmem: boolean[];
  /** page contents */
  data: number[];
  pkmap_count: number[];
  pkmap_page_table: number[];
  /** page -> pkmap vaddr, 0 for NULL */
  page_address: number[];
  last_pkmap_nr: number;
  /** fixmap PTEs: KM_MAX_IDX slots per CPU */
  kmap_pte: number[];
  /** per CPU: cached translations of pkmap addresses (global entries), possibly stale */
  tlb: Tlb[];
  /** per task id */
  kmap_ctrl: Record<number, KmapCtrl>;
  /**
   * not read by the kmap model or its invariants any more (B-INV2 now bounds the in-flight window
   * by the contexts running on the task); page-protection's state literal still sets it
   */
  inflight?: Record<number, number>;
  /** the last access through a kmap address, as the caller and the MMU saw it (harness, not kernel) */
  lastAccess: Access | null;
  /** the last return from kmap_flush_unused(), as its caller saw it (harness, not kernel) */
  flushReturn?: FlushReturn | null;
  /** page access protection hooks (absent: plain kmap) */
  prot?: PageProtectionHooks;
}

export type X = Exec<KmapState, KmapEvent>;

export const PAGE_OFFSET = 0x10000;
export const PKMAP_BASE = 0x1000;
export const FIXADDR_KMAP = 0x2000;
/** include/asm-generic/kmap_size.h: 16 slots per CPU, 33 with DEBUG_KMAP_LOCAL guards */
export const KM_MAX_IDX = (debug: boolean) => (debug ? 33 : 16); // unreached: in page-protection runs, which are built without DEBUG_KMAP_LOCAL (kmap's debug variants take it)

export function PageHighMem(k: KmapState, page: number): boolean {
  return k.cfg.HIGHMEM && k.highmem[page] === true; // unreached: in page-protection runs: HIGHMEM is off (DEVMAP_ACCESS_PROTECTION depends on !HIGHMEM)
}

/** Whether kmap_local_page() really maps the page (else it returns page_address()). */
export function kmapLocalMaps(k: KmapState, page: number): boolean {
  return k.cfg.DEBUG_KMAP_LOCAL_FORCE_MAP || PageHighMem(k, page);
}

export function ctrl(k: KmapState, task: number): KmapCtrl {
  return (k.kmap_ctrl[task] ??= { idx: 0, pteval: Array.from({ length: k.KM_MAX_IDX }, () => 0) });
}
