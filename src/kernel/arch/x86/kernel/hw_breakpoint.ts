/**
 * Hardware breakpoints as the temporary mm meets them (arch/x86/kernel/hw_breakpoint.c,
 * arch/x86/include/asm/debugreg.h, 5.10): cpu_dr7 is the per-CPU copy of what perf installed for
 * the running task; hw_breakpoint_active() tests it, hw_breakpoint_disable() clears DR7 (and
 * DR0-3) without touching cpu_dr7, hw_breakpoint_restore() writes cpu_dr7 back. Andy Lutomirski
 * <00649AE8-69C0-4CD2-A916-B8C8F0F5DAC3@amacapital.net>: save and restore DR7 around the poke.
 * Abstracted: one watchpoint, on poking_addr (a user watching the address the poke writes through,
 * on purpose to derandomize it or by chance); installing it is arch_install_hw_breakpoint() at the
 * task's perf sched-in.
 */
import { type X } from '../../../mm/text-poke-types.js';

export function hw_breakpoint_active(x: X): boolean {
  return x.w.k.cpus[x.cpu()]!.cpu_dr7;
}

export function hw_breakpoint_disable(x: X): void {
  x.w.k.cpus[x.cpu()]!.dr7 = false;
}

export function hw_breakpoint_restore(x: X): void {
  const c = x.w.k.cpus[x.cpu()]!;
  c.dr7 = c.cpu_dr7;
}

/** arch_install_hw_breakpoint() for the task switched in (perf's sched-in of its events). */
export function hw_breakpoint_sched_in(x: X, watch: boolean): void {
  const c = x.w.k.cpus[x.cpu()]!;
  c.cpu_dr7 = watch;
  c.dr7 = watch;
}
