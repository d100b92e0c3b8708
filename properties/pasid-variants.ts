/**
 * Variants of the PASID protocol: every design of pasid.md C.0 as posted or merged, each known
 * bug of C.4, each mutant of C.5 and each finding of docs/pasid.md as a named, cited
 * configuration of the same kernel code. A buggy variant names the general invariant expected to
 * catch it; no check looks at the variant. Mutants and isolated bugs start from `exec518` (5.18
 * with the exec fix), so that each shows its own bug and not the exec finding.
 */
import type { Variant } from '../src/protocol.js';
import type { PasidConfig } from '../src/kernel/mm/pasid-types.js';

type V = Variant<PasidConfig>;

const S518 = 'x86/pasid pull <164786043190.122591.9314646033947786445.tglx@xen13>';
const UAF = '2667ed10d9f0 "mm: Fix PASID use-after-free issue" (Fixes 701fac40384f; core/urgent <165201148069.536527.1960632033331546251.tglx@xen13>)';
const FPU = '59f5ede3bc0f "x86/fpu: Prevent FPU state corruption" <20220501193102.588689270@linutronix.de>';
const V6 = 'LAZY-2020 v6 <1594684087-61184-1-git-send-email-fenghua.yu@intel.com> (10/12 "x86/mmu: Allocate/free PASID", 11/12, 12/12 <1594684087-61184-13-git-send-email-fenghua.yu@intel.com>)';
const ANDY = 'Andy Lutomirski <CALCETrWR1hL=eXAkn=OG1vtAPvC9n1jGqyNuyXpYw8QwPENo1A@mail.gmail.com>';
const IPI510 = '20f0afd1fb3d "x86/mmu: Allocate/free a PASID"; disabled by 9bfecd058339, tglx <87mtsd6gr9.ffs@nanos.tec.linutronix.de>';
const REFCNT = 'Sep 2021 v1 <20210920192349.2602141-1-fenghua.yu@intel.com> (3/8, 5/8 <20210920192349.2602141-6-fenghua.yu@intel.com>); Andy <1aae375d-3cd4-4ab8-9c64-9e387916e6c0@www.fastmail.com>';
const EXEC = 'docs/pasid.md "exec keeps pasid_activated": kernel/fork.c dup_task_struct() is the only place that clears it (5.18 .. mainline)';
const EXECFPU = '1f69383b203e "x86/fpu: Invalidate FPU state correctly on exec()" (Fixes 33344368cb08, 5.14; fixed in 6.5) <20230818170305.502891-1-rick.p.edgecombe@intel.com>';

/** Mainline (6.5+): the 5.18 PASID design with the use-after-free fix and the exec FPU fix. */
const mainline: PasidConfig = {
  design: 'MM-LIFETIME-5.18', fixupAfterIrqEnable: false, fixupChecksActivated: true, fixupWrite: 'wrmsr', fixupFindsIoasid: false,
  xsaveAddrDeref: false, pasidFree: 'mmdrop', freeBeforeClear: false, ipiTarget: 'mm', ipiFpuSafe: true,
  switchReadsAfterMask: true, compareBeforeWrite: true, updateOnSwitchFinish: false, forkInherits: false,
  irqFpuUsable: '2022', flushThread: 'reset_fpregs', execClearsActivated: false,
};
/** 5.18 as released (with 2667ed10d9f0 and 59f5ede3bc0f): fpu_reset_fpregs() still used fpu__drop(). */
const fixed518: PasidConfig = { ...mainline, flushThread: 'reset_fpregs-drop' };
/** mainline with pasid_activated cleared at exec: correct, and the base of the mutants. */
const exec518: PasidConfig = { ...mainline, execClearsActivated: true };
/** 2020 kernels: the old irq_fpu_usable() and fpu__clear_all() at exec. */
const k2020: Partial<PasidConfig> = { irqFpuUsable: '5.10', flushThread: 'clear_all' };
const andy: PasidConfig = { ...fixed518, ...k2020, design: 'ANDY-2020', pasidFree: 'last-unbind' };
const ipi510: PasidConfig = { ...andy, design: 'IPI-5.10', ipiTarget: 'current', ipiFpuSafe: false, freeBeforeClear: true, updateOnSwitchFinish: true };
const lazy2020: PasidConfig = {
  ...fixed518, ...k2020, design: 'LAZY-2020', fixupAfterIrqEnable: true, fixupWrite: 'fpu__pasid_write-v6', fixupFindsIoasid: true, xsaveAddrDeref: true,
};
const refcnt: PasidConfig = {
  ...fixed518, irqFpuUsable: '5.10', design: 'REFCNT-2021', fixupAfterIrqEnable: true, fixupWrite: 'fpu__pasid_write-2021', pasidFree: 'refcount',
};

const I = {
  tag: 'pasid/C-INV1-tagging', dev: 'pasid/device-tagging', life: 'pasid/C-INV2-lifetime', coh: 'pasid/C-INV4-fpu-coherence',
  inh: 'pasid/C-INV5-inheritance', other: 'pasid/C-INV6-other-mm', segv: 'pasid/enqcmd-no-sigsegv', refs: 'pasid/refcounts',
  progress: 'kernel/progress', bug: 'kernel/BUG',
};

const correct = (name: string, description: string, source: string, config: PasidConfig): V =>
  ({ name, buggy: false, description, source, config });
const buggy = (name: string, description: string, source: string, expect: string, config: PasidConfig, also: string[] = []): V =>
  ({ name, buggy: true, description, source, expect, ...(also.length ? { alsoCaughtBy: also } : {}), config });

export const pasidVariants: V[] = [
  correct('mainline-exec-clear', 'mainline (the 5.18 design with the use-after-free and exec FPU fixes) with our exec fix, arch_setup_new_exec() clearing pasid_activated: PASID per mm until __mmdrop, try_fixup_enqcmd_gp() before irqs are enabled',
    `${S518}; ${UAF}; ${EXECFPU}; ${EXEC}`, exec518),
  correct('andy-2020', 'ANDY-2020: load_mm_pasid() in switch_mm_irqs_off() after the mm_cpumask bit, compare-before-write; on_each_cpu_mask(mm_cpumask(mm), load_mm_pasid, mm); clear then free on last unbind; the IPI defers when irq_fpu_usable() is false (our judgement, see docs)',
    ANDY, andy),
  correct('andy-2020-unconditional', 'ANDY-2020 with the first load_mm_pasid() of the mail: the xstate word is written on every switch ("one cache miss"), dirtying the line even when unchanged',
    ANDY, { ...andy, compareBeforeWrite: false }),
  correct('ipi-5.10-fpu-safe', 'IPI-5.10 with only C.4 #4(a) repaired (the IPI defers inside FPU sections): keeps the NULL argument (#4(b)), kthreads (#4(c)) and free-before-clear [inference], to let the checker judge them',
    `${IPI510}; pasid.md C.4 #4 [inference]`, { ...ipi510, ipiFpuSafe: true }),

  buggy('mainline', 'the 5.18 design in mainline: exec keeps pasid_activated, so a thread that used ENQCMD, execs, binds in the new image and issues ENQCMD is refused by the fixup (SIGSEGV)',
    `${S518}; ${UAF}; ${EXECFPU}; ${EXEC}`, I.inh, mainline, [I.segv]),
  buggy('5.18-fixed', 'MM-LIFETIME-5.18 as released (with 2667ed10d9f0): exec keeps pasid_activated, and fpu_reset_fpregs() invalidates the registers with fpu__drop(), this CPU only',
    `${S518}; ${UAF}; ${EXEC}; ${EXECFPU}`, I.inh, fixed518, [I.segv, I.coh, I.other, I.life]),
  buggy('exec-fpu-drop', '33344368cb08 .. 1f69383b203e alone: exec\'s fpu_reset_fpregs() invalidates with fpu__drop(); a task preempted in exec on CPU0, migrated, reset on CPU1 and migrated back finds CPU0\'s registers still valid by fpregs_state_valid() and returns to user mode with the pre-exec state, IA32_PASID included',
    EXECFPU, I.coh, { ...exec518, flushThread: 'reset_fpregs-drop' }, [I.other, I.life, I.dev, I.tag]),
  buggy('5.18-rc5-irq-fpu', 'MM-LIFETIME-5.18 before 59f5ede3bc0f: irq_fpu_usable() lets a hardirq use the FPU inside fpu_reset_fpregs()\'s fpregs_lock() at exec; its kernel_fpu_begin() saves the old IA32_PASID into the image just reset, and the new image returns to user mode with the old mm\'s PASID',
    `${S518}; ${FPU}; docs/pasid.md [inference]`, I.other, { ...exec518, irqFpuUsable: '5.10' }, [I.life, I.dev, I.tag, I.segv]),
  buggy('lazy-2020-v6', 'LAZY-2020 v6 as posted: PASID freed in destroy_context() from __mmdrop; #GP fixup after cond_local_irq_enable() with has_valid_pasid and ioasid_find(); fpu__pasid_write() under fpregs_lock() (only bh off: a hardirq may use the FPU there), no fpregs_state_valid() test, get_xsave_addr() before the xfeatures bit; exec keeps has_valid_pasid',
    V6, I.coh, lazy2020, [I.bug, I.segv, I.inh]),
  buggy('lazy-2020-v2-loop', 'C.4 #1 (PeterZ on v2): no has_valid_pasid, so a #GP that is not about the PASID is "fixed" again and again',
    `${V6} (v2 review by PeterZ)`, I.progress, { ...exec518, design: 'LAZY-2020', fixupChecksActivated: false }),
  buggy('v6-warn-deref', 'C.4 #2 (Andy on v6), alone: WARN_ON_ONCE(!ppasid_state) followed by the dereference; reached when an interrupt set TIF_NEED_FPU_LOAD before the fixup',
    `${V6}; Andy's review of v6`, I.bug, { ...exec518, design: 'LAZY-2020', fixupAfterIrqEnable: true, fixupWrite: 'fpu__pasid_write-v6', xsaveAddrDeref: true }),
  buggy('ipi-5.10', 'IPI-5.10 as merged, C.4 #4 (a)-(d): the IPI lands inside kernel_fpu_begin() (fpregs_lock() is only local_bh_disable()), NULL argument, kthreads, update on every switch',
    IPI510, I.segv, ipi510, [I.coh]),
  buggy('andy-2020-as-posted', 'C.4 #4(a) applies to ANDY-2020 too: an IPI handler that writes FPU state without irq_fpu_usable() loses the update to a concurrent kernel_fpu_begin()',
    `${ANDY}; 9bfecd058339`, I.segv, { ...andy, ipiFpuSafe: false }, [I.coh]),
  buggy('refcnt-2021', 'REFCNT-2021 as posted: per-task PASID references (fixup takes one, deactivate_mm() at exec and exit drops one, has_valid_pasid kept across exec), fpu__pasid_write() with "|| fpregs_state_valid()" under fpregs_lock() with the old irq_fpu_usable()',
    REFCNT, I.coh, refcnt, [I.segv, I.inh, I.life, I.refs, I.other, I.dev, I.tag]),
  buggy('5.18-original', 'C.4 #7, alone: mm_pasid_drop() in __mmput(): exit_mm() frees the PASID before exit_files() → release() → sva_unbind(), which then reads mm->pasid == INVALID',
    `701fac40384f; ${UAF}`, I.life, { ...exec518, pasidFree: 'mmput' }, [I.other]),

  buggy('M-C1', 'the fixup neither checks nor sets pasid_activated: a malformed ENQCMD #GPs forever', 'pasid.md M-C1', I.progress,
    { ...exec518, fixupChecksActivated: false }),
  buggy('M-C2', 'try_fixup_enqcmd_gp() moved after cond_local_irq_enable() (as tglx proposed for the Sep 2021 v1 and Fenghua questioned, C.4 #5): an interrupt sets TIF_NEED_FPU_LOAD, XRSTOR restores the old MSR, the retry #GPs with activated == 1',
    'pasid.md M-C2; C.4 #5', I.coh, { ...exec518, fixupAfterIrqEnable: true }, [I.segv]),
  buggy('M-C3', 'fork copies pasid_activated and the PASID xstate: the child (a new mm) submits with the parent\'s PASID', 'pasid.md M-C3', I.inh,
    { ...exec518, forkInherits: true }),
  buggy('M-C4', 'the PASID is freed on the last unbind while threads keep IA32_PASID valid; it is reallocated to another mm', 'pasid.md M-C4', I.other,
    { ...exec518, pasidFree: 'last-unbind' }, [I.life, I.tag, I.dev]),
  buggy('M-C5-order', 'the switch path reads mm->pasid before setting its mm_cpumask bit: an update in between sends it no IPI and it loads the old PASID',
    'pasid.md M-C5', I.segv, { ...andy, switchReadsAfterMask: false }, [I.other, I.life]),
  // an unbind's clearing IPI that lands on another mm's task clears that task's valid MSR: its
  // next ENQCMD #GPs, and the eager design has no fixup for a PASID it already loaded (SIGSEGV)
  buggy('M-C5-arg', 'the IPI handler loads the argument mm\'s PASID into whatever task it interrupts', 'pasid.md M-C5', I.life,
    { ...andy, ipiTarget: 'unchecked' }, [I.other, I.tag, I.dev, I.segv]),
];
