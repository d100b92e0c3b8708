/**
 * State of the text-poke protocol (text-poke.md D.1): the mms (init_mm, poking_mm, user mms) with
 * their page tables, ctx_id, tlb_gen and mm_cpumask; per CPU cpu_tlbstate (loaded_mm, ASID
 * slots ctxs[], is_lazy, user_pcid_flush_mask, invalidate_other), the hardware CR3, TLB and DR7;
 * physical memory. Models include/linux/mm_types.h, arch/x86/include/asm/tlbflush.h and
 * arch/x86/include/asm/mmu.h as of 5.10; the variants of the design are in TextPokeConfig.
 *
 * Abstractions: an address space is the handful of virtual addresses the protocol is about
 * (poking_addr and the page after it, the user page a process maps there, FIX_TEXT_POKE0/1), a
 * page table is a map va -> PTE, and a page's contents are one number. Page-table levels,
 * paging-structure caches and partial writes are not modelled.
 */
import type { Exec } from '../../sim/thread.js';
import type { Tlb } from '../../sim/tlb.js';
import type { TextPokeEvent } from '../../../model/text-poke.machine.js';

export const PAGE_SIZE = 0x1000;
/** a PMD covers four pages in the model, so that poking_init's "crosses a PMD" case is reachable */
export const PMD_SIZE = 0x4000;
export const TASK_UNMAPPED_BASE = 0x4000;
export const TASK_SIZE = 0x10000;
/** fixmap slots of the pre-5.2 text_poke(), in the kernel half that every pgd shares */
export const FIX_TEXT_POKE0 = 0xf0000;
export const FIX_TEXT_POKE1 = 0xf1000;
/** TLB_NR_DYN_ASIDS is 6 in the kernel; 3 wraps the round robin within a short run */
export const TLB_NR_DYN_ASIDS = 3;
export const X86_CR3_PTI_PCID_USER_BIT = 11;
export const TLB_FLUSH_ALL = -1;
export const TLB_GENERATION_INVALID = 0;

/** mm ids: init_mm and poking_mm first, then one per user process */
export const INIT_MM = 0;
export const POKING_MM = 1;
/** text pages (physical frames) that pokes may target; user pages are allocated above USER_PFN */
export const TEXT_PFNS = [100, 101, 102, 103] as const;
export const USER_PFN = 200;

export type Design = 'fixmap' | 'v1' | 'temporary-mm';

export interface TextPokeConfig {
  /**
   * fixmap: pre-5.2 text_poke() through FIX_TEXT_POKE0/1 in init_mm with local flushes;
   * v1: the temporary mm with PAGE_KERNEL and __flush_tlb_one_user() while poking_mm is loaded;
   * temporary-mm: the 5.2 merge (flush_tlb_mm_range() after unuse_temporary_mm())
   */
  design: Design;
  /** use_temporary_mm() calls leave_mm() first when lazy (Juergen Gross, Oct 2020) */
  leaveMmWhenLazy: boolean;
  X86_FEATURE_PTI: boolean;
  X86_FEATURE_PCID: boolean;
  X86_FEATURE_INVPCID_SINGLE: boolean;
  /**
   * flush_tlb_func() generation test: '5.10' reads mm_tlb_gen first; 'aa44284960d5' returns
   * early when f->new_tlb_gen <= local_tlb_gen (zero for arch_tlbbatch_flush); '8f1d56f64f8d'
   * ignores a zero new_tlb_gen
   */
  flushGen: '5.10' | 'aa44284960d5' | '8f1d56f64f8d';
  /** M-D1: the alias keeps _PAGE_GLOBAL */
  pokeGlobal: boolean;
  /** M-D2: after the poke, flush_tlb_mm_range() as merged, nothing, or a flush without inc_mm_tlb_gen() */
  pokeFlush: 'flush_tlb_mm_range' | 'none' | 'no-inc-gen';
  /** M-D3: irqs stay enabled across the poke */
  irqsOff: boolean;
  /** M-D5: choose_new_asid() treats a slot one generation behind as up to date */
  asidOffByOne: boolean;
  /** hw_breakpoint_disable()/restore() around the temporary mm (Andy, Feb 2019) */
  saveDr7: boolean;
  /** callers hold text_mutex (M-D6: they do not) */
  textMutex: boolean;
  /** __text_poke() takes the PTE lock with get_locked_pte() ("not really needed"; M-D6: an unlocked lookup) */
  ptl: boolean;
  /** our mutant: invalidate_user_asid() forgets to mark the user PCID */
  userFlush: boolean;
}

export interface Pte { pfn: number; rw: boolean; global: boolean }

export interface MmStruct {
  name: string;
  /** context.ctx_id: unique per mm, never 0 (0 marks a free ASID slot) */
  ctx_id: number;
  /** context.tlb_gen: bumped by inc_mm_tlb_gen() for every flush of this mm */
  tlb_gen: number;
  mm_cpumask: boolean[];
  /** the user half of the page tables: va -> PTE (the kernel half is init_mm's, shared) */
  pgd: Record<number, Pte>;
  mm_users: number;
  /** exit_mmap() freed the page tables: no CR3 may point at them any more */
  tablesFreed: boolean;
}

export interface TlbCtx { ctx_id: number; tlb_gen: number }

/** cpu_tlbstate (and cpu_tlbstate_shared.is_lazy) */
export interface CpuTlbState {
  loaded_mm: number;
  loaded_mm_asid: number;
  is_lazy: boolean;
  next_asid: number;
  ctxs: TlbCtx[];
  /** kPCIDs whose user PCID must be flushed at the next SWITCH_TO_USER_CR3 */
  user_pcid_flush_mask: number[];
  invalidate_other: boolean;
}

export interface TCpu {
  tlbstate: CpuTlbState;
  /** the hardware CR3: which mm's pgd, which PCID (user PCIDs have bit 11 set), the user half only (PTI) */
  cr3: { mm: number; pcid: number; user: boolean };
  /** per interrupt/exception entered here: did it come from user mode (PTI: user CR3) */
  fromUser: boolean[];
  /** cpu_dr7: the breakpoints installed for the running task */
  cpu_dr7: boolean;
  /** the DR7 register: a watchpoint armed on poking_addr */
  dr7: boolean;
}

export interface TTask {
  /** current->mm (-1: a kernel thread, or a task after exit_mm()) */
  mm: number;
  /** between return to user and the next kernel entry */
  inUser: boolean;
  /** the task set a user watchpoint on poking_addr (ptrace/perf) */
  watch: boolean;
}

/** One memory access through the MMU, as the hardware performed it. */
export interface Access {
  who: string;
  cpu: number;
  va: number;
  /** the mm whose tables were loaded, and the PCID */
  mm: number;
  pcid: number;
  /** the frame the current page tables map (or -1: not mapped, the access faults) */
  truth: number;
  /** the frame the access reached (through a TLB entry, or the walk) */
  reached: number;
  via: 'tlb' | 'walk' | 'fault';
  /** a kernel access (the poke), not user code */
  kernel: boolean;
  /** DR7 had a watchpoint armed on the CPU (on poking_addr, where the 'watch' operation puts it) */
  dr7: boolean;
}

export interface TextPokeState {
  cfg: TextPokeConfig;
  cpus: TCpu[];
  mms: MmStruct[];
  tasks: Record<number, TTask>;
  /** init_mm's kernel half (fixmap), present in every pgd */
  kernel: Record<number, Pte>;
  tlb: Tlb[];
  /** physical memory: frame -> contents */
  mem: Record<number, number>;
  nextPfn: number;
  poking_addr: number;
  /** the last memory access (for the stale-translation and watchpoint checks) */
  lastAccess: Access | null;
}

export type X = Exec<TextPokeState, TextPokeEvent>;

export const kern_pcid = (asid: number): number => asid + 1;
export const user_pcid = (asid: number): number => kern_pcid(asid) | (1 << X86_CR3_PTI_PCID_USER_BIT);
export const isText = (pfn: number): boolean => (TEXT_PFNS as readonly number[]).includes(pfn);

export function tcpu(x: X, cpu = x.cpu()): TCpu {
  return x.w.k.cpus[cpu]!;
}

/** the protocol's state of a task (setup creates one for every task, idle tasks included) */
export function ttask(k: TextPokeState, id: number): TTask {
  return k.tasks[id]!;
}

/** mm_alloc()/init_new_context(): a fresh ctx_id, tlb_gen 0. */
export function newMm(k: { mms: MmStruct[] }, name: string, cpus: number): number {
  k.mms.push({ name, ctx_id: k.mms.length + 1, tlb_gen: 0, mm_cpumask: Array.from({ length: cpus }, () => false), pgd: {}, mm_users: 1, tablesFreed: false });
  return k.mms.length - 1;
}
