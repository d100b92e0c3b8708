/**
 * Kernel entry and exit as far as PASID goes (kernel/entry/common.c, arch/x86/include/asm/entry-common.h):
 * irqentry_enter() notes in the entry's pt_regs whether it came from user mode; exit to user mode
 * runs with irqs off and ends in switch_fpu_return(), the lazy XRSTOR; a PASID reload that an
 * IPI had to defer (irq_fpu_usable() false) is applied there, after the restore.
 * Abstraction: pending work other than task_work and the deferred reload (signals, rescheduling)
 * is not modelled here; a signal handler's frame holds no supervisor state, so delivering one
 * leaves IA32_PASID alone.
 */
import { switch_fpu_return, wrmsrl_pasid } from '../arch/x86/kernel/fpu/core.js';
import type { Gen } from '../../sim/thread.js';
import { ptask, type X } from '../mm/pasid-types.js';
import { task_work_run } from './task-work.js';

/** Only user tasks get here: a kthread never entered from user mode and is never in it. */
export function exit_to_user_mode(x: X): void {
  const t = ptask(x);
  switch_fpu_return(x);
  if (t.pasidReload) {
    t.pasidReload = false;
    const pasid = x.w.k.mms[t.mm]!.pasid;
    if (x.w.k.cpus[x.cpu()]!.msr !== pasid) wrmsrl_pasid(x, pasid);
  }
  t.inUser = true;
}

/** irqentry_enter() / irq_enter(): a hardirq, softirq or exception context was pushed on current. */
export function irqentry_enter(x: X, exception: boolean): void {
  const cpu = x.cpuState();
  const below = cpu.ctx[cpu.ctx.length - 2];
  const t = ptask(x);
  const fromUser = below?.kind === 'thread' && t.inUser;
  t.regs.push(fromUser);
  if (fromUser) t.inUser = false;
  // exceptions enter through an interrupt gate: irqs off until the handler enables them
  if (exception) cpu.irqsOff = true;
}

/** irqentry_exit(): back to user mode goes through exit_to_user_mode(). */
export function irqentry_exit(x: X): void {
  if (ptask(x).regs.pop()) exit_to_user_mode(x);
}

/** A system call: the task leaves user mode. */
export function* syscall_enter(x: X, name: string): Gen {
  yield { fn: 'entry_SYSCALL_64', what: name };
  ptask(x).inUser = false;
}

export function* syscall_exit(x: X): Gen {
  yield* task_work_run(x);
  yield { fn: 'syscall_exit_to_user_mode', what: 'exit_to_user_mode_prepare(): switch_fpu_return()' };
  exit_to_user_mode(x);
}
