/**
 * The World: all mutable state of one execution, in one plain object (no module globals),
 * so that it can be cloned, fingerprinted by the exhaustive strategies and diffed for traces.
 * The protocol's own kernel state lives under `k`.
 */
import type { CpuId, TaskId } from './ids.js';

/** Execution contexts, nested on a CPU: thread at the bottom, then what interrupted it. */
export type CtxKind = 'thread' | 'softirq' | 'hardirq' | 'exception' | 'sched';

export interface Ctx {
  kind: CtxKind;
  /** the execution unit running in this context; -1 for an idle CPU's thread context */
  unit: number;
  /** irq flag of the interrupted context, restored when this context returns */
  savedIrqsOff: boolean;
}

export interface Cpu {
  id: CpuId;
  /** the task whose stack the contexts run on (Linux `current`); idle task when nothing else */
  curr: TaskId;
  /** ctx[0] is curr's thread context; an interrupt pushes above it and pops on return */
  ctx: Ctx[];
  /** local irq disable state of the innermost context (EFLAGS.IF inverted) */
  irqsOff: boolean;
}

export type TaskState = 'running' | 'runnable' | 'blocked' | 'done';

/**
 * The kernel's preemption model (CONFIG_PREEMPT_*): where a running task may be switched away
 * involuntarily. none: only at cond_resched() and on the way back to user mode; voluntary: also
 * at might_sleep() points; full: wherever preempt_count is 0 and irqs are on; rt: as full, and
 * spinlock_t is a sleeping lock (its holder stays preemptible, with migration disabled).
 */
export type PreemptModel = 'none' | 'voluntary' | 'full' | 'rt';

export interface Task {
  id: TaskId;
  name: string;
  /** CPU the task runs on or last ran on */
  cpu: CpuId;
  state: TaskState;
  /** per-CPU idle task: never scheduled in by choice, never finishes */
  idle: boolean;
  preempt_count: number;
  migrate_disable: number;
  pagefault_disabled: number;
  /** local_bh_disable() depth (the SOFTIRQ_DISABLE part of the kernel's preempt_count) */
  softirq_disabled: number;
  /** exception contexts this task was preempted in (x86 handlers that enabled irqs), innermost last, while it is switched out */
  frames: Ctx[];
  /** wait queue this task is queued on (add_wait_queue() until remove_wait_queue()/finish_wait()) */
  waitOn: string | null;
  /**
   * set_current_state(TASK_UNINTERRUPTIBLE) not yet undone: schedule() sleeps until a wake_up()
   * sets the task back to TASK_RUNNING
   */
  sleeping: boolean;
}

export interface World<K = unknown> {
  cpus: Cpu[];
  tasks: Task[];
  /** spinlock owner by name: the unit id holding it; absent when free */
  locks: Record<string, number>;
  /** architectural event counts (WRMSR, IPIs, TLB flushes, ...) for cost reports */
  counters: Record<string, number>;
  /** WARN_ON splats, in order: observable kernel diagnostics */
  warnings: string[];
  /** WARN_ON_ONCE() call sites that have fired (their `static bool __warned`) */
  warnedOnce: string[];
  /** the kernel's preemption model for this execution */
  preempt: PreemptModel;
  k: K;
}

export function createWorld<K>(cpus: number, k: K, preempt: PreemptModel = 'full'): World<K> {
  const w: World<K> = { cpus: [], tasks: [], locks: {}, counters: {}, warnings: [], warnedOnce: [], preempt, k };
  for (let c = 0; c < cpus; c++) {
    const idle = addTask(w, `swapper/${c}`, c as CpuId, true);
    idle.state = 'running';
    w.cpus.push({ id: c as CpuId, curr: idle.id, ctx: [{ kind: 'thread', unit: -1, savedIrqsOff: false }], irqsOff: false });
  }
  return w;
}

export function addTask<K>(w: World<K>, name: string, cpu: CpuId, idle = false): Task {
  const t: Task = {
    id: w.tasks.length as TaskId, name, cpu, state: 'runnable', idle,
    preempt_count: 0, migrate_disable: 0, pagefault_disabled: 0, softirq_disabled: 0, frames: [], waitOn: null, sleeping: false,
  };
  w.tasks.push(t);
  return t;
}

export function count<K>(w: World<K>, event: string, n = 1): void {
  w.counters[event] = (w.counters[event] ?? 0) + n;
}

/** Innermost context of a CPU. */
export const topCtx = (cpu: Cpu): Ctx => cpu.ctx[cpu.ctx.length - 1]!;

/** in_interrupt(): any context above the thread one (the scheduler path counts as thread). */
export const inInterrupt = (cpu: Cpu): boolean => cpu.ctx.some((c) => c.kind !== 'thread' && c.kind !== 'sched');

/**
 * in_atomic() for the thread context: preemption, bottom halves or irqs off, or any interrupt
 * context (preempt_count() != 0; local_bh_disable() adds SOFTIRQ_DISABLE_OFFSET to it, except on
 * PREEMPT_RT, where a bh-disabled section stays preemptible).
 */
export function inAtomic<K>(w: World<K>, cpu: Cpu): boolean {
  const t = w.tasks[cpu.curr]!;
  return inInterrupt(cpu) || cpu.irqsOff || t.preempt_count > 0 || (w.preempt !== 'rt' && t.softirq_disabled > 0);
}
