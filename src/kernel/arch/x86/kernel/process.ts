/**
 * Context switch, fork and exit for PKRS (arch/x86/kernel/process.c, process_64.c):
 *  - V10 x86_pkrs_load(next) in __switch_to(): MSR = next->thread.pkrs, on every switch;
 *  - V-GLOBAL: write_pkrs(saved_pkrs & pkrs_global_cache) at sched-in (01/58
 *    <20201009195033.3208459-2-ira.weiny@intel.com>);
 *  - V3 pks_sched_in() inside __switch_to_xtra(), which runs only when prev or next has
 *    _TIF_WORK_CTXSW set (A.4 #1, tglx <871rfoscz4.fsf@nanos.tec.linutronix.de>);
 *  - copy_thread(): the child starts with PKS_INIT_VALUE and no grant (V10 pks_init_task()).
 * Abstracted: __switch_to() runs with irqs off, so the PKRS load is part of the switch step.
 */
import type { Gen } from '../../../../sim/thread.js';
import type { Task } from '../../../../sim/world.js';
import { PKS_INIT_VALUE, pks, threadOf, type PX } from '../include/asm/pks.js';
import { pks_write_pkrs, thread_pkrs_live } from '../mm/pkeys.js';

/** prepare_task_switch(): remember who is switched out (__switch_to() gets prev and next). */
export function* pks_sched_out(x: PX, prev: Task): Gen {
  pks(x).prev[x.cpu()] = prev.id;
}

/**
 * Loads the incoming task's PKRS where the design does it. __switch_to() runs with irqs off, so
 * the write belongs to the switch step itself: no yield before it.
 */
export function* pks_sched_in(x: PX, next: Task): Gen {
  const p = pks(x);
  const cpu = x.cpu();
  // prepare_task_switch() is not run for the idle task: prev is then the idle task, not a stale one
  const prev = x.w.tasks[p.prev[cpu]!];
  p.prev[cpu] = -1;
  switch_pkrs(x, prev, next);
}

function switch_pkrs(x: PX, prev: Task | undefined, next: Task): void {
  const p = pks(x);
  if (p.cfg.schedIn === 'switch_to_xtra' && !(p.tifWork.includes(next.name) || (prev && p.tifWork.includes(prev.name)))) return;
  const from = p.cfg.schedIn === 'prev-task' && prev ? prev : next;
  pks_write_pkrs(x, next.idle ? PKS_INIT_VALUE : thread_pkrs_live(p, threadOf(p, from.id)));
}

/** do_task_dead(): the last switch away from an exiting task, to the idle task's PKRS. */
export function* pks_task_dead(x: PX): Gen {
  yield { fn: 'do_task_dead', what: `schedule() away from exiting ${x.current().name}` };
  switch_pkrs(x, x.current(), x.w.tasks[x.cpu()]!);
}

/** copy_thread(): the child's PKS state (M-A2-fork copies the parent's instead). */
export function pks_copy_thread(x: PX, parent: Task, child: Task): void {
  const p = pks(x);
  const from = threadOf(p, parent.id);
  p.thread[child.id] = p.cfg.mutant === 'M-A2-fork' ? { ...from } : { pkrs: PKS_INIT_VALUE, count: 0 };
}
