/**
 * The context switch as far as PASID goes (kernel/sched/core.c context_switch, arch/x86
 * switch_to): switch_fpu_prepare() saves the outgoing user registers; then, with irqs off,
 * switch_mm_irqs_off() and (5.10) update_pasid() from switch_fpu_finish(); a task preempted in
 * user mode goes back through exit_to_user_mode().
 */
import type { Gen } from '../../../sim/thread.js';
import type { Task } from '../../../sim/world.js';
import { switch_fpu_prepare } from '../../arch/x86/kernel/fpu/core.js';
import { update_pasid_on_switch } from '../../arch/x86/kernel/fpu/xstate.js';
import { switch_mm_irqs_off } from '../../arch/x86/mm/tlb.js';
import type { X } from '../../mm/pasid-types.js';
import { exit_to_user_mode } from '../entry-common.js';

export function* prepare_task_switch(x: X, prev: Task): Gen {
  yield { fn: 'switch_fpu_prepare', what: `save ${prev.name}'s FPU registers (XSAVES)` };
  switch_fpu_prepare(x, prev.id);
}

export function* finish_task_switch(x: X, next: Task): Gen {
  const k = x.w.k;
  const t = k.tasks[next.id]!;
  const cpu = x.cpuState();
  cpu.irqsOff = true;
  yield* switch_mm_irqs_off(x, next.id);
  if (k.cfg.updateOnSwitchFinish) yield* update_pasid_on_switch(x, t);
  cpu.irqsOff = false;
  if (t.inUser) exit_to_user_mode(x);
}
