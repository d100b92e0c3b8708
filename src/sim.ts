/**
 * kcheck/sim: the modelling primitives for writing a protocol (import from 'kcheck/sim').
 *
 * Kernel code is a generator that yields a YieldPoint *before* every action another CPU could
 * race with; all shared state lives in the World (`x.w`, your state under `x.w.k`), plain JSON
 * data. Each primitive here is named after its kernel counterpart and takes the Exec `x` first.
 *
 * defineProgram() turns a small fixed program (a few tasks and an invariant) into a protocol,
 * without a statechart or a workload generator: see docs/writing-a-protocol.md.
 */
import * as fc from 'fast-check';
import { createMachine } from 'xstate';
import { defineProtocol, type Invariant, type IrqProgram, type Protocol, type TaskProgram, type Variant } from './protocol.js';
import type { Exec, Gen } from './sim/thread.js';

export {
  at, BUG_ON, KernelBug, WARN_ON, WARN_ON_ONCE,
  spin_lock, spin_unlock, spin_lock_irqsave, spin_unlock_irqrestore,
  preempt_disable, preempt_enable, migrate_disable, migrate_enable, pagefault_disable, pagefault_enable,
  local_irq_disable, local_irq_enable, local_irq_save, local_irq_restore, local_bh_disable, local_bh_enable,
  get_cpu, put_cpu, this_cpu_ptr,
  add_wait_queue, prepare_to_wait, finish_wait, schedule_sleep, wake_up, waitqueue_active, set_current_state_uninterruptible,
  atomic_read, atomic_set, atomic_inc, atomic_dec, atomic_add_return, atomic_dec_and_test, atomic_cmpxchg,
  complete, complete_all, wait_for_completion, spawn_task,
} from './sim/thread.js';
export type { Atomic, Completion, Exec, Gen, YieldPoint } from './sim/thread.js';
export { mutex_lock, mutex_unlock } from './kernel/kernel/locking/mutex.js';
export type { Cpu, Task, World } from './sim/world.js';

/** A statechart that accepts no event: the spec of a program that checks invariants only (it must emit nothing). */
export const noSpec = createMachine({ id: 'no-spec' });

export interface Program<K, C = unknown> {
  /** the protocol name; invariant names start with it ('<name>/...') */
  name: string;
  description?: string;
  /** fresh shared state for one execution (plain JSON data), from the variant's config */
  state(config: C): K;
  /** the tasks, each pinned to a CPU at start; `run` is the kernel code */
  tasks(config: C): TaskProgram<K, never>[];
  /** interrupt handlers (hardirq/softirq), taken when the scheduler chooses and irqs allow */
  irqs?(config: C): IrqProgram<K, never>[];
  invariants?: Invariant<K>[];
  /** default: one correct variant 'default' with config {} */
  variants?: Variant<C>[];
  /** named values shown in traces as they change */
  observe?(k: K): Record<string, string | number | boolean>;
}

/**
 * A fixed program as a protocol: one workload (the tasks as written), no statechart (noSpec),
 * the invariants as the only checks (besides the engine's kernel/* checks for every protocol).
 */
export function defineProgram<K, C = unknown>(p: Program<K, C>): Protocol<K, never, null, C> {
  const variants = p.variants ?? [{ name: 'default', buggy: false, description: p.name, source: 'this program', config: {} as C }];
  return defineProtocol({
    name: p.name,
    description: p.description ?? p.name,
    machine: noSpec,
    variants,
    invariants: p.invariants ?? [],
    workload: () => fc.constant(null),
    setup: (_w, v) => ({ k: p.state(v.config), tasks: p.tasks(v.config), irqs: p.irqs?.(v.config) ?? [], hooks: {}, specInput: undefined }),
    refusal: () => `${p.name}/spec`,
    describe: () => ['the program as written (a fixed program: no generated workload)'],
    ...(p.observe ? { observe: (w: { k: K }) => p.observe!(w.k) } : {}),
  });
}

/** A task body as a plain function of the Exec, for `tasks()`: `task('A', 0, function* (x) { ... })`. */
export function task<K>(name: string, cpu: number, run: (x: Exec<K, never>) => Gen): TaskProgram<K, never> {
  return { name, cpu, run };
}
