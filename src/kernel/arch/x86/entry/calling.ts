/**
 * The PTI CR3 switches of the entry code (arch/x86/entry/calling.h SWITCH_TO_KERNEL_CR3 and
 * SWITCH_TO_USER_CR3_NOSTACK, 5.10). Kernel entry loads the kernel PCID with NOFLUSH; return to
 * user loads the user PCID (kPCID | 2048), flushing it only if its bit is set in
 * cpu_tlbstate.user_pcid_flush_mask (the deferred flush of invalidate_user_asid()), and clears the
 * bit. Without PTI there is one address space and nothing to switch.
 * Abstracted: the trampoline stack and the per-CPU CR3 shadow are not modelled.
 */
import type { Gen } from '../../../../sim/thread.js';
import { kern_pcid, user_pcid, type X } from '../../../mm/text-poke-types.js';
import { write_cr3 } from '../include/asm/tlbflush.js';

export function SWITCH_TO_KERNEL_CR3(x: X): void {
  const k = x.w.k;
  const c = k.cpus[x.cpu()]!;
  if (!c.cr3.user) return;
  write_cr3(x, { mm: c.cr3.mm, pcid: k.cfg.X86_FEATURE_PCID ? kern_pcid(c.tlbstate.loaded_mm_asid) : 0, noflush: k.cfg.X86_FEATURE_PCID });
}

export function SWITCH_TO_USER_CR3(x: X): void {
  const k = x.w.k;
  const c = k.cpus[x.cpu()]!;
  if (!k.cfg.X86_FEATURE_PTI) return;
  const asid = c.tlbstate.loaded_mm_asid;
  if (!k.cfg.X86_FEATURE_PCID) {
    write_cr3(x, { mm: c.cr3.mm, pcid: 0, noflush: false, user: true });
    return;
  }
  const mask = c.tlbstate.user_pcid_flush_mask;
  const i = mask.indexOf(kern_pcid(asid));
  if (i >= 0) mask.splice(i, 1);
  write_cr3(x, { mm: c.cr3.mm, pcid: user_pcid(asid), noflush: i < 0, user: true });
}

/** entry_SYSCALL_64 / a #PF from user mode: the task enters the kernel. */
export function* enter_from_user_mode(x: X, why: string): Gen {
  yield { fn: 'entry_SYSCALL_64', what: why };
  x.w.k.tasks[x.current().id]!.inUser = false;
  SWITCH_TO_KERNEL_CR3(x);
}

/** The return to user mode (syscall_exit_to_user_mode, then SWITCH_TO_USER_CR3 and SYSRET). */
export function* exit_to_user_mode(x: X): Gen {
  yield { fn: 'syscall_exit_to_user_mode', what: 'SWITCH_TO_USER_CR3; sysret' };
  x.w.k.tasks[x.current().id]!.inUser = true;
  SWITCH_TO_USER_CR3(x);
}

/** irqentry_enter(): an interrupt of user mode switches to the kernel CR3. */
export function irqentry_enter(x: X): void {
  const c = x.w.k.cpus[x.cpu()]!;
  c.fromUser.push(c.cr3.user);
  SWITCH_TO_KERNEL_CR3(x);
}

/** irqentry_exit(): back to user mode through SWITCH_TO_USER_CR3. */
export function irqentry_exit(x: X): void {
  if (x.w.k.cpus[x.cpu()]!.fromUser.pop()) SWITCH_TO_USER_CR3(x);
}
