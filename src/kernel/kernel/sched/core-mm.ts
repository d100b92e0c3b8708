/**
 * The mm side of a context switch for the text-poke protocol (kernel/sched/core.c context_switch()
 * and finish_task_switch(), arch/x86 switch_to(), 5.10): to a kernel thread (no mm) enter_lazy_tlb()
 * keeps the previous mm loaded, marked lazy; to a user task switch_mm_irqs_off(). Perf's sched-in
 * installs the next task's hardware breakpoints (cpu_dr7, DR7). A task preempted in user mode
 * entered the kernel through an interrupt (SWITCH_TO_KERNEL_CR3) and goes back through
 * SWITCH_TO_USER_CR3.
 * Abstracted: active_mm reference counting (mmgrab/mmdrop) is left out: lifetime is judged on the
 * page tables (exit_mmap), which is what a CPU's CR3 can still point at.
 */
import type { Gen } from '../../../sim/thread.js';
import type { Task } from '../../../sim/world.js';
import { SWITCH_TO_KERNEL_CR3, SWITCH_TO_USER_CR3 } from '../../arch/x86/entry/calling.js';
import { hw_breakpoint_sched_in } from '../../arch/x86/kernel/hw_breakpoint.js';
import { enter_lazy_tlb } from '../../arch/x86/mm/tlb.js';
import { switch_mm, TP_OPS } from '../../arch/x86/mm/tlb-flush.js';
import { ttask, type X } from '../../mm/text-poke-types.js';

export function* prepare_task_switch(x: X, prev: Task): Gen {
  if (!ttask(x.w.k, prev.id).inUser) return;
  yield { fn: 'irqentry_enter', what: `${prev.name} preempted in user mode: SWITCH_TO_KERNEL_CR3` };
  SWITCH_TO_KERNEL_CR3(x);
}

export function* finish_task_switch(x: X, next: Task): Gen {
  const t = ttask(x.w.k, next.id);
  const cpu = x.cpuState();
  cpu.irqsOff = true;
  if (t.mm < 0) enter_lazy_tlb(x, TP_OPS);
  else yield* switch_mm(x, t.mm);
  hw_breakpoint_sched_in(x, t.watch);
  cpu.irqsOff = false;
  if (t.inUser) SWITCH_TO_USER_CR3(x);
}
