/**
 * State of the PASID protocol (ENQCMD / IA32_PASID): per-CPU IA32_PASID and FPU register owner,
 * per-task FPU memory image, TIF_NEED_FPU_LOAD and pt_regs, per-mm PASID and refcounts, the IOASID
 * allocator, files and fd tables, and the IOMMU PASID table. Models include/linux/mm_types.h
 * (mm->pasid), arch/x86/include/asm/fpu/*.h, include/linux/fdtable.h, drivers/iommu/ioasid.c,
 * drivers/iommu/iommu-sva-lib.c (5.18).
 * Sources: fenghua.yu v6 <1594684087-61184-13-git-send-email-fenghua.yu@intel.com>,
 * Andy Lutomirski <CALCETrWR1hL=eXAkn=OG1vtAPvC9n1jGqyNuyXpYw8QwPENo1A@mail.gmail.com>,
 * 20f0afd1fb3d, 9bfecd058339, x86/pasid pull <164786043190.122591.9314646033947786445.tglx@xen13>,
 * 2667ed10d9f0, 59f5ede3bc0f (irq_fpu_usable).
 */
import type { Exec } from '../../sim/thread.js';
import type { PasidEvent } from '../../../model/pasid.machine.js';

/** INVALID_IOASID; as an MSR or xstate value: the VALID bit is clear (init state). */
export const INVALID = -1;

export type Design = 'LAZY-2020' | 'ANDY-2020' | 'IPI-5.10' | 'REFCNT-2021' | 'MM-LIFETIME-5.18';

export interface PasidConfig {
  design: Design;
  /** lazy designs: the #GP fixup runs after cond_local_irq_enable() (v6, Sep 2021 v1, M-C2) */
  fixupAfterIrqEnable: boolean;
  /** lazy designs: the fixup tests and sets pasid_activated / has_valid_pasid (absent: PeterZ on v2, M-C1) */
  fixupChecksActivated: boolean;
  /**
   * how the fixup loads the PASID: wrmsr directly (5.18; tglx's proposal on the Sep 2021 v1), or
   * fpu__pasid_write() as posted: v6 tests only TIF_NEED_FPU_LOAD, Sep 2021 v1 also
   * fpregs_state_valid() (Andy <1aae375d-3cd4-4ab8-9c64-9e387916e6c0@www.fastmail.com>)
   */
  fixupWrite: 'wrmsr' | 'fpu__pasid_write-v6' | 'fpu__pasid_write-2021';
  /** v6 __fixup_pasid_exception(): ioasid_find() must return the PASID's svm, which is set only while bound */
  fixupFindsIoasid: boolean;
  /** v6 fpu__pasid_write: get_xsave_addr() before setting the xfeatures bit, WARN_ON_ONCE then dereference (C.4 #2) */
  xsaveAddrDeref: boolean;
  /**
   * when the PASID is freed: __mmdrop (5.18 fixed: mm_pasid_drop(); v2-v6: destroy_context()),
   * __mmput (5.18 original), last unbind, or last reference
   */
  pasidFree: 'mmdrop' | 'mmput' | 'last-unbind' | 'refcount';
  /** eager designs, last unbind: ioasid_free() before or after clearing the threads' PASID (5.10 merged: before) */
  freeBeforeClear: boolean;
  /**
   * eager IPI handler: 'current' = 5.10's NULL argument, current->mm's PASID for whatever runs;
   * 'mm' = Andy's argument, only a user thread of that mm; 'unchecked' = the argument mm's PASID
   * loaded into whatever runs (M-C5)
   */
  ipiTarget: 'current' | 'mm' | 'unchecked';
  /** eager IPI handler honours irq_fpu_usable(): inside an FPU section it defers to exit_to_user_mode */
  ipiFpuSafe: boolean;
  /** eager: switch path re-reads mm->pasid after setting the mm_cpumask bit (false: M-C5) */
  switchReadsAfterMask: boolean;
  /** ANDY-2020 switch path: compare the image before writing it (Andy's second version) */
  compareBeforeWrite: boolean;
  /** 5.10: update_pasid() also on every switch_fpu_finish() (C.4 #4(d)) */
  updateOnSwitchFinish: boolean;
  /** fork/clone copy pasid_activated and the PASID xstate (M-C3) */
  forkInherits: boolean;
  /**
   * irq_fpu_usable() of the variant's kernel: '5.10' = !in_interrupt() || interrupted_user_mode()
   * || !in_kernel_fpu (5.2 .. 5.18-rc5: a hardirq may use the FPU inside fpregs_lock()); '2022' =
   * 59f5ede3bc0f "x86/fpu: Prevent FPU state corruption" (5.18-rc6, stable backports)
   */
  irqFpuUsable: '5.10' | '2022';
  /**
   * fpu_flush_thread() at exec: 'clear_all' = 5.8..5.13 fpu__clear_all() loads the init state into
   * the registers and marks them current's; 'reset_fpregs' = fpu_reset_fpregs() resets the image
   * and sets TIF_NEED_FPU_LOAD, invalidating with fpu__drop() (5.14 33344368cb08 .. 6.5: only this
   * CPU's owner is cleared) or, since 1f69383b203e, with __fpu_invalidate_fpregs_state()
   */
  flushThread: 'clear_all' | 'reset_fpregs-drop' | 'reset_fpregs';
  /** a fix no kernel has: arch_setup_new_exec() clears pasid_activated (docs/pasid.md, exec finding) */
  execClearsActivated: boolean;
}

export interface Fpu {
  /** XFEATURE_PASID component of the memory image: PASID with VALID, or INVALID (init state) */
  image: number;
  /** fpu->last_cpu: with the CPU's owner, fpregs_state_valid() */
  last_cpu: number;
}

export interface PTask {
  kthread: boolean;
  /** current->mm (a kthread's borrowed mm under kthread_use_mm), or -1 */
  mm: number;
  files: number;
  fpu: Fpu;
  TIF_NEED_FPU_LOAD: boolean;
  /** pasid_activated (5.18) / has_valid_pasid (2020/2021) */
  activated: boolean;
  /** between exit_to_user_mode and the next kernel entry */
  inUser: boolean;
  /**
   * the pt_regs of each kernel entry on this task's stack, innermost last: user_mode(regs). On
   * the task, not the CPU, because an exception handler may be preempted and resume elsewhere.
   */
  regs: boolean[];
  /** a deferred PASID reload at the next exit_to_user_mode (eager designs, irq_fpu_usable() false) */
  pasidReload: boolean;
  /** files whose final fput() is deferred to task_work (return to user, or exit_task_work()) */
  task_work: number[];
}

export interface Mm {
  pasid: number;
  mm_users: number;
  mm_count: number;
  /** __mmdrop() done: the struct is gone */
  freed: boolean;
  mm_cpumask: boolean[];
  /** the files whose ENQCMD portal is mmap()ed into this mm (each VMA holds a file reference) */
  portals: number[];
  /** binds of this mm, for the last-unbind designs */
  binds: number;
}

/** An open file of the device: f_count counts the fd-table slots and the portal VMAs that hold it. */
export interface DevFile { dev: number; mm: number; refs: number; bound: boolean }
/** files_struct: users (CLONE_FILES sharers) and the fd table, fd number -> file (null: free slot). */
export interface FilesStruct { users: number; fdt: (number | null)[] }

/**
 * A descriptor as the device received it, with what the kernel had set up at that instant.
 * Written only by the ENQCMD hardware model (properties/pasid-enqcmd.ts), never by kernel code.
 */
export interface Descriptor {
  task: number;
  /** the address space the submitting CPU ran in (CR3) */
  mm: number;
  pasid: number;
  dev: number;
  /** the submitter's mm->pasid when the device received it */
  mmPasid: number;
  /** the mm the device's PASID table maps this PASID to, or -1 */
  tableMm: number;
  /** the CPU ran a user thread in user mode (C-INV8: the kernel never executes ENQCMD) */
  fromUser: boolean;
}

/**
 * A SIGSEGV that ENQCMD ended in, with what held when the instruction faulted. Written only by
 * the ENQCMD hardware model, never by kernel code.
 */
export interface Segv {
  task: number;
  /** the descriptor was well-formed (a malformed one #GPs whatever the PASID) */
  wellFormed: boolean;
  /** the destination was a portal mapped in the thread's mm */
  portal: boolean;
  /** the mm's PASID at that instant */
  mmPasid: number;
}

/** A device fd a process's user memory holds, and the portal it mapped from it (-1: none). */
export interface Held { fd: number; portal: number }

export interface PCpu {
  /** IA32_PASID: PASID with VALID, or INVALID */
  msr: number;
  /** fpu_fpregs_owner_ctx: task whose state the registers hold, or -1 */
  owner: number;
  in_kernel_fpu: boolean;
  /** the mm whose page tables are loaded (lazily kept under a kthread) */
  loaded_mm: number;
}

export interface PasidState {
  cfg: PasidConfig;
  cpus: PCpu[];
  /** by TaskId; idle tasks have kthread entries */
  tasks: Record<number, PTask>;
  mms: Mm[];
  files: DevFile[];
  filesStructs: FilesStruct[];
  /**
   * the IOASID space [min, max): small so that freed PASIDs are reused; per PASID its owner mm,
   * refcount, and (v6) whether ioasid_set_data() attached an svm (ioasid_find() finds it)
   */
  ioasid: { min: number; max: number; owner: Record<number, { mm: number; refs: number; data: boolean }> };
  /** IOMMU PASID table per device: pasid -> mm programmed, with bind count */
  pasidTable: Record<number, { mm: number; binds: number }>[];
  /** what the devices received and the SIGSEGVs ENQCMD ended in (hardware observations) */
  observed: { received: Descriptor[]; segv: Segv[] };
  /**
   * user memory of each mm, as far as the workload programs go: the fds they got and the portals
   * they mapped, shared by the threads of the mm. Written only by the user programs
   * (properties/pasid-programs.ts), never by kernel code.
   */
  user: Record<number, Held[]>;
}

export type X = Exec<PasidState, PasidEvent>;

export const isLazy = (d: Design): boolean => d === 'LAZY-2020' || d === 'REFCNT-2021' || d === 'MM-LIFETIME-5.18';

export const pasidStr = (p: number): string => (p === INVALID ? 'INVALID' : `${p}|VALID`);

/** The PASID state of a task (every task has one: setup and copy_process() create it). */
export function ptask(x: X, id = x.current().id): PTask {
  return x.w.k.tasks[id]!;
}

/** mm_alloc(): one user of the address space, one reference to the struct, no PASID yet. */
export function newMm(cpus: number): Mm {
  return { pasid: INVALID, mm_users: 1, mm_count: 1, freed: false, mm_cpumask: Array.from({ length: cpus }, () => false), portals: [], binds: 0 };
}

export function newTask(k: PasidState, id: number, o: { mm: number; files: number; kthread: boolean }): PTask {
  const t: PTask = {
    kthread: o.kthread, mm: o.mm, files: o.files, fpu: { image: INVALID, last_cpu: -1 },
    // a new task has no registers loaded (copy_thread sets TIF_NEED_FPU_LOAD)
    TIF_NEED_FPU_LOAD: true, activated: false, inUser: false, regs: [], pasidReload: false, task_work: [],
  };
  k.tasks[id] = t;
  return t;
}
