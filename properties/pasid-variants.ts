/**
 * Variants of the PASID protocol: every design of pasid.md C.0, each known bug of C.4 and each
 * mutant of C.5 as a named, cited configuration of the same kernel code. A buggy variant names
 * the general invariant expected to catch it; no check looks at the variant.
 */
import type { Variant } from '../src/protocol.js';
import type { PasidConfig } from '../src/kernel/mm/pasid-types.js';

type V = Variant<PasidConfig>;

const S518 = 'x86/pasid pull <164786043190.122591.9314646033947786445.tglx@xen13>';
const UAF = '2667ed10d9f0 "mm: Fix PASID use-after-free issue" (Fixes 701fac40384f; core/urgent <165201148069.536527.1960632033331546251.tglx@xen13>)';
const V6 = 'LAZY-2020 v6 12/12 <1594684087-61184-13-git-send-email-fenghua.yu@intel.com>';
const ANDY = 'Andy Lutomirski <CALCETrWR1hL=eXAkn=OG1vtAPvC9n1jGqyNuyXpYw8QwPENo1A@mail.gmail.com>';
const IPI510 = '20f0afd1fb3d "x86/mmu: Allocate/free a PASID"; disabled by 9bfecd058339, tglx <87mtsd6gr9.ffs@nanos.tec.linutronix.de>';
const REFCNT = 'Sep 2021 v1 <20210920192349.2602141-1-fenghua.yu@intel.com>; Andy <1aae375d-3cd4-4ab8-9c64-9e387916e6c0@www.fastmail.com>';

const fixed518: PasidConfig = {
  design: 'MM-LIFETIME-5.18', fixupAfterIrqEnable: false, fixupChecksActivated: true, fixupWrite: 'wrmsr',
  xsaveAddrDeref: false, pasidFree: 'mmdrop', freeBeforeClear: false, ipiTarget: 'mm', ipiFpuSafe: true,
  switchReadsAfterMask: true, compareBeforeWrite: true, updateOnSwitchFinish: false, forkInherits: false,
};
const andy: PasidConfig = { ...fixed518, design: 'ANDY-2020', pasidFree: 'last-unbind' };
const ipi510: PasidConfig = { ...andy, design: 'IPI-5.10', ipiTarget: 'current', ipiFpuSafe: false, freeBeforeClear: true, updateOnSwitchFinish: true };
const lazy2020: PasidConfig = { ...fixed518, design: 'LAZY-2020', fixupAfterIrqEnable: true, fixupWrite: 'fpu__pasid_write', pasidFree: 'last-unbind' };
const refcnt: PasidConfig = { ...fixed518, design: 'REFCNT-2021', fixupAfterIrqEnable: true, pasidFree: 'refcount' };

const I = {
  tag: 'pasid/C-INV1-tagging', dev: 'pasid/device-tagging', life: 'pasid/C-INV2-lifetime', coh: 'pasid/C-INV4-fpu-coherence',
  inh: 'pasid/C-INV5-inheritance', other: 'pasid/C-INV6-other-mm', segv: 'pasid/enqcmd-no-sigsegv',
  progress: 'kernel/progress', bug: 'kernel/BUG',
};

const correct = (name: string, description: string, source: string, config: PasidConfig): V =>
  ({ name, buggy: false, description, source, config });
const buggy = (name: string, description: string, source: string, expect: string, config: PasidConfig, also: string[] = []): V =>
  ({ name, buggy: true, description, source, expect, ...(also.length ? { alsoCaughtBy: also } : {}), config });

export const pasidVariants: V[] = [
  correct('5.18-fixed', 'MM-LIFETIME-5.18 with the use-after-free fix: PASID per mm until __mmdrop, try_fixup_enqcmd_gp() before irqs are enabled, pasid_activated',
    `${S518}; ${UAF}`, fixed518),
  correct('andy-2020', 'ANDY-2020: load_mm_pasid() in switch_mm_irqs_off() after the mm_cpumask bit, compare-before-write; on_each_cpu_mask(mm_cpumask(mm), load_mm_pasid, mm); clear then free on last unbind; the IPI defers when irq_fpu_usable() is false (our judgement, see docs)',
    ANDY, andy),
  correct('andy-2020-unconditional', 'ANDY-2020 with the first load_mm_pasid() of the mail: the xstate word is written on every switch ("one cache miss"), dirtying the line even when unchanged',
    ANDY, { ...andy, compareBeforeWrite: false }),
  correct('ipi-5.10-fpu-safe', 'IPI-5.10 with only C.4 #4(a) repaired (the IPI defers inside FPU sections): keeps the NULL argument (#4(b)), kthreads (#4(c)) and free-before-clear [inference], to let the checker judge them',
    `${IPI510}; pasid.md C.4 #4 [inference]`, { ...ipi510, ipiFpuSafe: true }),

  buggy('lazy-2020-v6', 'LAZY-2020 v6: #GP fixup after cond_local_irq_enable() via fpu__pasid_write(); the PASID is freed on the last unbind while threads keep it loaded, and is reused for another mm',
    V6, I.other, lazy2020, [I.life, I.tag, I.dev]),
  buggy('lazy-2020-v2-loop', 'C.4 #1 (PeterZ on v2): no has_valid_pasid, so a #GP that is not about the PASID is "fixed" again and again',
    `${V6} (v2 review by PeterZ)`, I.progress, { ...fixed518, design: 'LAZY-2020', fixupChecksActivated: false }),
  buggy('v6-warn-deref', 'C.4 #2 (Andy on v6): WARN_ON_ONCE(!ppasid_state) followed by the dereference; reached when an interrupt set TIF_NEED_FPU_LOAD before the fixup',
    `${V6}; Andy's review of v6`, I.bug, { ...fixed518, design: 'LAZY-2020', fixupAfterIrqEnable: true, fixupWrite: 'fpu__pasid_write', xsaveAddrDeref: true }),
  buggy('ipi-5.10', 'IPI-5.10 as merged, C.4 #4 (a)-(d): the IPI lands inside kernel_fpu_begin() (fpregs_lock() is only local_bh_disable()), NULL argument, kthreads, update on every switch',
    IPI510, I.segv, ipi510, [I.coh]),
  buggy('andy-2020-as-posted', 'C.4 #4(a) applies to ANDY-2020 too: an IPI handler that writes FPU state without irq_fpu_usable() loses the update to a concurrent kernel_fpu_begin()',
    `${ANDY}; 9bfecd058339`, I.segv, { ...andy, ipiFpuSafe: false }, [I.coh]),
  buggy('refcnt-2021', 'C.4 #5 (REFCNT-2021): the fixup writes IA32_PASID after cond_local_irq_enable(); an interrupt\'s kernel_fpu_begin() in between sets TIF_NEED_FPU_LOAD and the XRSTOR at return undoes the write',
    REFCNT, I.coh, refcnt, [I.segv]),
  buggy('5.18-original', 'C.4 #7: mm_pasid_drop() in __mmput(): exit_mm() frees the PASID before exit_files() → release() → sva_unbind(), which then reads mm->pasid == INVALID',
    `701fac40384f; ${UAF}`, I.life, { ...fixed518, pasidFree: 'mmput' }, [I.other]),

  buggy('M-C1', 'the fixup neither checks nor sets pasid_activated: a malformed ENQCMD #GPs forever', 'pasid.md M-C1', I.progress,
    { ...fixed518, fixupChecksActivated: false }),
  buggy('M-C2', 'try_fixup_enqcmd_gp() moved after cond_local_irq_enable(): an interrupt sets TIF_NEED_FPU_LOAD, XRSTOR restores the old MSR, the retry #GPs with activated == 1',
    'pasid.md M-C2', I.coh, { ...fixed518, fixupAfterIrqEnable: true }, [I.segv]),
  buggy('M-C3', 'fork copies pasid_activated and the PASID xstate: the child (a new mm) submits with the parent\'s PASID', 'pasid.md M-C3', I.inh,
    { ...fixed518, forkInherits: true }),
  buggy('M-C4', 'the PASID is freed on the last unbind while threads keep IA32_PASID valid; it is reallocated to another mm', 'pasid.md M-C4', I.other,
    { ...fixed518, pasidFree: 'last-unbind' }, [I.life, I.tag, I.dev]),
  buggy('M-C5-order', 'the switch path reads mm->pasid before setting its mm_cpumask bit: an update in between sends it no IPI and it loads the old PASID',
    'pasid.md M-C5', I.segv, { ...andy, switchReadsAfterMask: false }, [I.other, I.life]),
  buggy('M-C5-arg', 'the IPI handler loads the argument mm\'s PASID into whatever task it interrupts', 'pasid.md M-C5', I.life,
    { ...andy, ipiTarget: 'unchecked' }, [I.other, I.tag, I.dev]),
];
