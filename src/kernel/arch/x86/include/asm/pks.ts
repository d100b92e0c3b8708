/**
 * PKS state: the PKRS register (MSR_IA32_PKRS 0x6E1, one per logical CPU, 16 keys of AD/WD
 * bits, not XSAVE-managed), its per-CPU software cache, the per-task saved value and grant
 * count, the per-exception saved state, the per-page unprotect count of tglx's design, and the
 * global value of the Oct 2020 design. arch/x86/include/asm/pks.h and arch/x86/mm/pkeys.c of the
 * PKS series (RFC V1 <20200714070220.3500839-1-ira.weiny@intel.com> .. V10
 * <20220419170649.1022246-22-ira.weiny@intel.com>); never merged upstream.
 * Abstracted: two consumers of the 16 keys (PKS_KEY_PGMAP_PROTECTION through the pgmap count,
 * PKS_KEY_TEST granted directly); one design per run, chosen by PksConfig (the series' versions
 * as variants); every grant is read-write (no read-only mode).
 */
import type { ContextKind } from '../../../../../protocol.js';
import type { Exec } from '../../../../../sim/thread.js';
import type { KmapState } from '../../../../mm/kmap-types.js';
import type { PpEvent } from '../../../../../../model/page-protection.machine.js';

export type PksDesign = 'V-RFC' | 'V-GLOBAL' | 'V3' | 'V-TGLX' | 'V10';
export type PksMode = 'STRICT' | 'RELAXED' | 'SILENT' | 'OFF';

/** Where an exception keeps the interrupted PKRS (A.0 "Where PKRS lives"). */
export type PksEntry =
  /** V-RFC: PKRS is switched on context switch only, "not during irqs" */
  | 'none'
  /** V3, V-GLOBAL, V-TGLX: irqentry state saves the live value, exit writes it back */
  | 'live'
  /** V10 pks_save_pt_regs(): aux.pkrs = current->thread.pkrs; exit copies it back to thread.pkrs */
  | 'thread';

export type PksMutant =
  | 'M-A2-inc' | 'M-A2-dec' | 'M-A2-fork'
  | 'M-A3-local' | 'M-A3-sticky' | 'M-A3-cache'
  | 'M-A4-any' | 'M-A4-thread' | 'M-A5' | 'M-A6-strict-as-relaxed';

export interface PksConfig {
  design: PksDesign;
  /** memremap.pks_fault_mode= as the administrator wrote it */
  param: string;
  /** param_set_pks_fault_mode(): as fixed, or V7's inverted sysfs_streq() (A.4 #8) */
  parser: 'fixed' | 'v7';
  /** the modes this design's parameter knows (V-TGLX adds SILENT and OFF) */
  modes: PksMode[];
  entry: PksEntry;
  /** the per-task count is saved and zeroed per exception (V-GLOBAL irqentry_state.pkrs_ref) */
  saveCount: boolean;
  /** pks_sched_in() on every switch, only from __switch_to_xtra() (A.4 #1), or from prev (M-A1) */
  schedIn: 'every-switch' | 'switch_to_xtra' | 'prev-task';
  /** V-GLOBAL restrict: left to each CPU's next switch, or forced with wrmsrl_on_cpu() (A.4 #2) */
  globalRestrict: 'lazy' | 'ipi' | 'remote-rmw';
  /** update_global_pkrs() pairs per_cpu_ptr() with put_cpu_ptr() (A.4 #2a) */
  putCpuPtr: boolean;
  mutant?: PksMutant;
}

/** Per task: thread.pkrs (saved_pkrs) and dev_page_access_ref / pgmap_prot_count. */
export interface PksThread { pkrs: number; count: number }

/** What an interrupt or exception saved on entry (irqentry_state_t / pt_regs_auxiliary). */
export interface IrqentryState {
  kind: ContextKind;
  /** the PKRS to write back at exit (aux.pkrs, state->pkrs) */
  pkrs: number;
  /** V-GLOBAL: state->thread_pkrs */
  thread_pkrs: number;
  /** saved count (state->pkrs_ref) when saveCount */
  ref: number;
}

export interface Pks {
  cfg: PksConfig;
  /** pks_fault_mode after the kernel parsed cfg.param */
  mode: PksMode;
  /** pkey in the PTE of each page (0: not a protected ZONE_DEVICE page) */
  pkey: number[];
  msr: number[];
  pkrs_cache: number[];
  thread: Record<number, PksThread>;
  /** per CPU: saved states of the interrupts/exceptions nested there, innermost last */
  frames: IrqentryState[][];
  /** V-TGLX: page->unprotect */
  unprotect: number[];
  /** V-GLOBAL: pkrs_global_cache (set bits restrict) */
  pkrs_global: number;
  /** tasks (by name) with _TIF_WORK_CTXSW flags set: the only switches __switch_to_xtra() sees */
  tifWork: string[];
  /** per CPU: the task being switched out (between prepare and finish) */
  prev: number[];
  /** kmap() addresses published for other contexts, per page */
  mailbox: number[];
  /** published addresses some context is writing through right now, per page */
  borrowed: number[];
}

export interface PpState extends KmapState { pks: Pks }
export type PX = Exec<PpState, PpEvent>;

/** PKS_KEY_PGMAP_PROTECTION (key 0 is PKS_KEY_DEFAULT, always read-write) */
export const PKS_KEY_PGMAP = 1;
/** PKS_KEY_TEST: a second PKS user granting its key directly (lib/pks/pks_test.c, V9/V10) */
export const PKS_KEY_TEST = 2;
export const PKEY_READ_WRITE = 0;
export const PKEY_DISABLE_ACCESS = 0x1;
export const PKEY_DISABLE_WRITE = 0x2;
/** AD is always written together with WD (01/58), so values merge with a plain & */
export const PKEY_NO_ACCESS = PKEY_DISABLE_ACCESS | PKEY_DISABLE_WRITE;
export const PKS_NUM_KEYS = 16;

export const pkrsMask = (key: number) => 0x3 << (2 * key);

export function pkey_update_pkval(pkval: number, key: number, prot: number): number {
  return ((pkval & ~pkrsMask(key)) | (prot << (2 * key))) >>> 0;
}

/** Key 0 full access, keys 1-15 AD|WD (no access): the most restrictive value. */
export const PKS_INIT_VALUE = 0xfffffffc;

export const pkrsAllowsWrite = (pkrs: number, key: number) => ((pkrs >>> (2 * key)) & 0x3) === 0;

export const pks = (x: { w: { k: unknown } }): Pks => (x.w.k as PpState).pks;

export function threadOf(p: Pks, task: number): PksThread {
  return (p.thread[task] ??= { pkrs: PKS_INIT_VALUE, count: 0 });
}

/** A task's saved state without creating it (what a task that never ran PKS code has). */
export const threadPeek = (p: Pks, task: number): PksThread => p.thread[task] ?? { pkrs: PKS_INIT_VALUE, count: 0 };

export const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;
