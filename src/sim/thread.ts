/**
 * Threads are generators. Kernel code yields a YieldPoint *before* every action another CPU
 * could race with, so the strategy decides who goes next and the trace names what happens.
 * An atomic_inc is one step; a non-atomic `x = v; ...; v = x + 1` is two.
 */
import type { CpuId } from './ids.js';
import type { Cpu, Task, World } from './world.js';

export interface YieldPoint {
  /** kernel function performing the next action (kmap_high, __kmap_local_sched_in, ...) */
  fn: string;
  /** the action, in kernel words: "pkmap_count[3]++", "set_pte(slot 1)" */
  what: string;
  /** spinlock that must be free for the action to happen (it is then taken by this unit) */
  lock?: string;
  /** the lock is a sleeping one (spinlock_t under PREEMPT_RT): its waiter may be preempted */
  lockSleeps?: boolean;
  /** the action can happen only once this holds (spinning on a flag, waiting for an IPI) */
  until?: () => boolean;
  /**
   * pending softirqs of this CPU may run here, nested on this context and without an irqentry
   * (local_bh_enable() -> do_softirq()), before the action
   */
  softirqs?: boolean;
  /**
   * a scheduling point of the less preemptible kernels: 'cond' (cond_resched()), 'might_sleep'
   * (might_resched() in a might_sleep()), 'user' (the need_resched check on the way to user mode)
   */
  resched?: 'cond' | 'might_sleep' | 'user';
}

export type Gen<R = void> = Generator<YieldPoint, R, void>;

/** What kernel code sees of the machine: the world, where it runs, and the spec channel. */
export interface Exec<K = unknown, E = unknown> {
  readonly w: World<K>;
  /** id of the execution unit (lock owner identity) */
  readonly unit: number;
  /** CPU this code runs on now (a task may migrate between its steps) */
  cpu(): CpuId;
  /** `current`: the task whose stack this code runs on (the interrupted task in an irq) */
  current(): Task;
  cpuState(): Cpu;
  /** report a linearization point to the specification */
  emit(event: E): void;
  /**
   * release a spinlock or mutex (the owner entry of `w.locks` goes): the engine records a release
   * by a unit that does not hold it, a free lock included, for kernel/lock-owner
   */
  unlock(name: string): void;
  /** WARN_ON: record a kernel splat (observable, not fatal) */
  warn(msg: string): void;
  /** start a new task (fork/clone) running `program` */
  spawn(name: string, program: (x: Exec<K, E>) => Gen): Task;
  /**
   * send an IPI: `handler` runs as a hardirq on `cpu` once that CPU has irqs on. Returns a
   * function telling whether the handler has finished (for on_each_cpu(..., wait=1)).
   */
  ipi(cpu: CpuId, name: string, handler: (x: Exec<K, E>) => Gen): () => boolean;
  /**
   * an exception raised by the current instruction (#PF, #GP): `handler` runs in a nested
   * exception context on this CPU, with the protocol's exception entry/exit hooks around it.
   */
  exception<R>(name: string, handler: (x: Exec<K, E>) => Gen<R>): Gen<R>;
}

/** The kernel BUG(): a panic of the simulated kernel, reported as a thread-threw failure. */
export class KernelBug extends Error {
  constructor(where: string, why: string) {
    super(`kernel BUG at ${where}: ${why}`);
    this.name = 'KernelBug';
  }
}

export function BUG_ON(cond: boolean, where: string, why: string): void {
  if (cond) throw new KernelBug(where, why);
}

export function WARN_ON<K, E>(x: Exec<K, E>, cond: boolean, where: string, why: string): boolean {
  if (cond) x.warn(`WARNING at ${where}: ${why}`);
  return cond;
}

/** WARN_ON_ONCE(): warns the first time the condition holds at this call site, then stays quiet. */
export function WARN_ON_ONCE<K, E>(x: Exec<K, E>, cond: boolean, where: string, why: string): boolean {
  if (cond && !x.w.warnedOnce.includes(where)) {
    x.w.warnedOnce.push(where);
    x.warn(`WARNING at ${where}: ${why}`);
  }
  return cond;
}

/** Yield before the next action. */
export function* at(fn: string, what: string): Gen {
  yield { fn, what };
}

/**
 * spin_lock(): preemption off while the lock is wanted and held (the engine does not preempt a
 * task waiting at a lock). With PREEMPT_RT a spinlock_t is a sleeping rt_mutex: the holder stays
 * preemptible but may not migrate.
 */
export function* spin_lock<K, E>(x: Exec<K, E>, name: string, fn: string): Gen {
  const rt = x.w.preempt === 'rt';
  yield { fn, what: `spin_lock(&${name})`, lock: name, ...(rt ? { lockSleeps: true } : {}) };
  if (rt) x.current().migrate_disable++;
  else x.current().preempt_count++;
}

export function spin_unlock<K, E>(x: Exec<K, E>, name: string): void {
  x.unlock(name);
  if (x.w.preempt === 'rt') x.current().migrate_disable--;
  else x.current().preempt_count--;
}

/** raw_spin_lock(): a spinning lock with preemption off in every model, PREEMPT_RT included. */
export function* raw_spin_lock<K, E>(x: Exec<K, E>, name: string, fn: string): Gen {
  yield { fn, what: `raw_spin_lock(&${name})`, lock: name };
  x.current().preempt_count++;
}

export function raw_spin_unlock<K, E>(x: Exec<K, E>, name: string): void {
  x.unlock(name);
  x.current().preempt_count--;
}

/** cond_resched(): a point where even a PREEMPT_NONE kernel may switch to another task. */
export function* cond_resched(fn: string): Gen {
  yield { fn, what: 'cond_resched()', resched: 'cond' };
}

/** might_sleep(): with PREEMPT_VOLUNTARY, a scheduling point (might_resched()). */
export function* might_sleep(fn: string): Gen {
  yield { fn, what: 'might_sleep()', resched: 'might_sleep' };
}

export function preempt_disable<K, E>(x: Exec<K, E>): void { x.current().preempt_count++; }
export function preempt_enable<K, E>(x: Exec<K, E>): void { x.current().preempt_count--; }
export function migrate_disable<K, E>(x: Exec<K, E>): void { x.current().migrate_disable++; }
export function migrate_enable<K, E>(x: Exec<K, E>): void { x.current().migrate_disable--; }
export function pagefault_disable<K, E>(x: Exec<K, E>): void { x.current().pagefault_disabled++; }
export function pagefault_enable<K, E>(x: Exec<K, E>): void { x.current().pagefault_disabled--; }

/** add_wait_queue(): queue the current task on `wq` (it stays queued until it removes itself). */
export function add_wait_queue<K, E>(x: Exec<K, E>, wq: string): void {
  x.current().waitOn = wq;
}

/** set_current_state(TASK_UNINTERRUPTIBLE): the next schedule() sleeps unless woken first. */
export function set_current_state_uninterruptible<K, E>(x: Exec<K, E>): void {
  x.current().sleeping = true;
}

/** prepare_to_wait(): queue the current task on `wq` and mark it sleeping; the caller may still hold its locks. */
export function prepare_to_wait<K, E>(x: Exec<K, E>, wq: string): void {
  add_wait_queue(x, wq);
  set_current_state_uninterruptible(x);
}

/** remove_wait_queue() / finish_wait(): dequeue and set TASK_RUNNING. */
export function finish_wait<K, E>(x: Exec<K, E>): void {
  const t = x.current();
  t.waitOn = null;
  t.sleeping = false;
}

/**
 * schedule() after the task marked itself sleeping: it blocks unless a wake_up() came in
 * between (that is why the waker's waitqueue_active() check under the lock cannot lose the
 * wake-up). The task stays on the wait queue: the caller dequeues itself with finish_wait().
 */
export function* schedule_sleep<K, E>(x: Exec<K, E>, fn: string): Gen {
  yield { fn: 'schedule', what: `sleep on ${x.current().waitOn ?? '(nothing)'}` };
  const t = x.current();
  if (t.sleeping) t.state = 'blocked';
  yield { fn, what: 'woken up' };
}

/** wake_up(): every task queued on `wq` back to TASK_RUNNING (default_wake_function; the entries stay queued). */
export function wake_up<K>(w: World<K>, wq: string): void {
  for (const t of w.tasks) {
    if (t.waitOn !== wq || !t.sleeping) continue;
    t.sleeping = false;
    if (t.state === 'blocked') t.state = w.cpus.some((c) => c.curr === t.id) ? 'running' : 'runnable';
  }
}

export function waitqueue_active<K>(w: World<K>, wq: string): boolean {
  return w.tasks.some((t) => t.waitOn === wq);
}

/** local_bh_disable(): softirqs stay pending on this CPU until the matching local_bh_enable(). */
export function local_bh_disable<K, E>(x: Exec<K, E>): void {
  x.current().softirq_disabled++;
}

/**
 * local_bh_enable(): when the last disable is undone, pending softirqs run right here, nested on
 * the current context and without an irqentry (do_softirq()): the engine offers them at the yield.
 */
export function* local_bh_enable<K, E>(x: Exec<K, E>, fn: string): Gen {
  const t = x.current();
  t.softirq_disabled--;
  if (t.softirq_disabled === 0) yield { fn, what: 'local_bh_enable(): do_softirq() if pending', softirqs: true };
}

// ---- primitives for protocols written by users (kcheck/sim); each names its kernel counterpart ----

/** local_irq_disable()/local_irq_enable() on this CPU (hardirqs are not taken while off). */
export function local_irq_disable<K, E>(x: Exec<K, E>): void { x.cpuState().irqsOff = true; }
export function local_irq_enable<K, E>(x: Exec<K, E>): void { x.cpuState().irqsOff = false; }

/** local_irq_save(): irqs off, returning whether they were off before (the flags). */
export function local_irq_save<K, E>(x: Exec<K, E>): boolean {
  const was = x.cpuState().irqsOff;
  x.cpuState().irqsOff = true;
  return was;
}

/** local_irq_restore(flags): back to the state local_irq_save() returned. */
export function local_irq_restore<K, E>(x: Exec<K, E>, flags: boolean): void { x.cpuState().irqsOff = flags; }

/** spin_lock_irqsave(): irqs off, then the lock; returns the flags for spin_unlock_irqrestore(). */
export function* spin_lock_irqsave<K, E>(x: Exec<K, E>, name: string, fn: string): Gen<boolean> {
  const flags = local_irq_save(x);
  yield* spin_lock(x, name, fn);
  return flags;
}

export function spin_unlock_irqrestore<K, E>(x: Exec<K, E>, name: string, flags: boolean): void {
  spin_unlock(x, name);
  local_irq_restore(x, flags);
}

/** get_cpu(): preemption off, and this CPU's number (stable until put_cpu()). */
export function get_cpu<K, E>(x: Exec<K, E>): number {
  preempt_disable(x);
  return x.cpu();
}
export function put_cpu<K, E>(x: Exec<K, E>): void { preempt_enable(x); }

/**
 * this_cpu_ptr(): this CPU's slot of a per-CPU array kept in the World (one entry per CPU).
 * Stable only while the task cannot migrate (preemption or migration disabled, or irqs off).
 */
export function this_cpu_ptr<K, E, T>(x: Exec<K, E>, percpu: T[]): T { return percpu[x.cpu()]!; }

/** An atomic_t: one field in the World, changed only in single steps. */
export interface Atomic { counter: number }

/** atomic_read(): one step that reads the value. */
export function* atomic_read<K, E>(_x: Exec<K, E>, v: Atomic, fn: string, name = 'v'): Gen<number> {
  yield { fn, what: `atomic_read(&${name})` };
  return v.counter;
}

export function* atomic_set<K, E>(_x: Exec<K, E>, v: Atomic, i: number, fn: string, name = 'v'): Gen {
  yield { fn, what: `atomic_set(&${name}, ${i})` };
  v.counter = i;
}

/** atomic_add_return(): one step; the new value. atomic_inc/atomic_dec are this with ±1. */
export function* atomic_add_return<K, E>(_x: Exec<K, E>, i: number, v: Atomic, fn: string, name = 'v'): Gen<number> {
  yield { fn, what: `atomic_add_return(${i}, &${name})` };
  v.counter += i;
  return v.counter;
}

export function* atomic_inc<K, E>(_x: Exec<K, E>, v: Atomic, fn: string, name = 'v'): Gen {
  yield { fn, what: `atomic_inc(&${name})` };
  v.counter++;
}

export function* atomic_dec<K, E>(_x: Exec<K, E>, v: Atomic, fn: string, name = 'v'): Gen {
  yield { fn, what: `atomic_dec(&${name})` };
  v.counter--;
}

/** atomic_dec_and_test(): one step; true when the value reached 0 (the caller releases). */
export function* atomic_dec_and_test<K, E>(_x: Exec<K, E>, v: Atomic, fn: string, name = 'v'): Gen<boolean> {
  yield { fn, what: `atomic_dec_and_test(&${name})` };
  return --v.counter === 0;
}

/** atomic_cmpxchg(): one step; the old value (the exchange happened when it equals `old`). */
export function* atomic_cmpxchg<K, E>(_x: Exec<K, E>, v: Atomic, old: number, next: number, fn: string, name = 'v'): Gen<number> {
  yield { fn, what: `atomic_cmpxchg(&${name}, ${old}, ${next})` };
  const was = v.counter;
  if (was === old) v.counter = next;
  return was;
}

/** A struct completion: `done` counts complete() calls not yet consumed by a waiter. */
export interface Completion { done: number }

const COMPLETE_ALL = 0x7fffffff;

/** complete(): one step; one waiter (present or future) may go on. Waiters sleep on the queue named after the completion. */
export function* complete<K, E>(x: Exec<K, E>, c: Completion, fn: string, name = 'done'): Gen {
  yield { fn, what: `complete(&${name})` };
  if (c.done !== COMPLETE_ALL) c.done++;
  wake_up(x.w, `completion ${name}`);
}

/** complete_all(): one step; every waiter, present and future, may go on (done saturates as in the kernel). */
export function* complete_all<K, E>(x: Exec<K, E>, c: Completion, fn: string, name = 'done'): Gen {
  yield { fn, what: `complete_all(&${name})` };
  c.done = COMPLETE_ALL;
  wake_up(x.w, `completion ${name}`);
}

/**
 * wait_for_completion(): sleeps until done > 0, then consumes one (none after complete_all()).
 * The test and the queueing are one step, so a complete() cannot slip in between and be lost.
 */
export function* wait_for_completion<K, E>(x: Exec<K, E>, c: Completion, fn: string, name = 'done'): Gen {
  for (;;) {
    yield { fn, what: `wait_for_completion(&${name})` };
    if (c.done > 0) {
      if (c.done !== COMPLETE_ALL) c.done--;
      return;
    }
    prepare_to_wait(x, `completion ${name}`);
    yield* schedule_sleep(x, fn);
    finish_wait(x);
  }
}

/**
 * Starts a task (kernel_thread(), kthread_run()) and returns a join handle: `yield* join(fn)` in
 * the parent sleeps until the child has exited (as kthread_stop() waits for the thread).
 */
export function spawn_task<K, E>(x: Exec<K, E>, name: string, program: (x: Exec<K, E>) => Gen): { task: Task; join(fn: string): Gen } {
  const queue = `exit ${name}`;
  const task = x.spawn(name, function* (y) {
    yield* program(y);
    wake_up(y.w, queue); // do_exit() waking the joiner, in the task's last step
  });
  const id = task.id;
  return {
    task,
    *join(fn: string): Gen {
      for (;;) {
        yield { fn, what: `wait for ${name} to exit` };
        if (x.w.tasks[id]!.state === 'done') return;
        prepare_to_wait(x, queue);
        yield* schedule_sleep(x, fn);
        finish_wait(x);
      }
    },
  };
}
