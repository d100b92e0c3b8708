/**
 * Ghost state: what the engine itself records about an execution, outside the World, so that
 * invariants can judge kernel code by what it did rather than by what it says about itself (a
 * mutation of the kernel model cannot switch these records off). Invariants receive it as their
 * third argument.
 */
import type { CpuId, TaskId } from '../sim/ids.js';
import type { CtxKind } from '../sim/world.js';

/** What a context looked like at one moment: the task it runs on, its counts, and the protocol's own view. */
export interface ContextSnapshot {
  task: TaskId;
  preempt_count: number;
  migrate_disable: number;
  pagefault_disabled: number;
  /** local_bh_disable() depth */
  softirq_disabled: number;
  irqsOff: boolean;
  /** spinlocks and mutexes held by the context's execution unit */
  locks: string[];
  /** Protocol.contextState(w, cpu), if the protocol defines one (e.g. the PKRS value) */
  state?: unknown;
}

export type ContextKindOrTask = CtxKind | 'task';

/** A context (a task's life, an interrupt, an exception, a switch) as it began and ended. */
export interface ContextRecord {
  kind: ContextKindOrTask;
  /** "task A", "hardirq irq0", "exception #PF", "sched" */
  name: string;
  cpu: CpuId;
  /** step at which it began */
  step: number;
  entry: ContextSnapshot;
}

export interface EndedContext extends ContextRecord {
  /** taken just before the context ended (before the hardware restores anything) */
  exit: ContextSnapshot;
}

/**
 * An IPI as it was sent. `pinned`: the sender could not migrate (preemption, bottom halves or
 * irqs off, migration disabled, or in an interrupt), so "this CPU" stayed its CPU; `sender`
 * names its context when it could.
 */
export interface Ipi { from: CpuId; to: CpuId; name: string; step: number; pinned: boolean; sender: string }

/** A lock released in the last step by an execution unit that did not hold it. */
export interface Release {
  lock: string;
  /** the unit that held it (its name: "task A", "sched", an irq's name); null: the lock was free */
  holder: string | null;
  /** the unit whose step released it (or gave it to another unit) */
  by: string;
  step: number;
}

export interface Ghost {
  /** steps taken so far */
  step: number;
  /** per CPU: the nested contexts (interrupts, exceptions, switches) open there, innermost last */
  open: ContextRecord[][];
  /** per task: its record while it is alive */
  tasks: Record<number, ContextRecord>;
  /** per task: the exception contexts it was preempted in, while it is switched out */
  suspended: Record<number, ContextRecord[]>;
  /** contexts that ended during the last step, in order */
  ended: EndedContext[];
  /** every IPI sent so far */
  ipis: Ipi[];
  /** locks released in the last step by a unit other than their holder, or while free */
  releases: readonly Release[];
}

/**
 * A copy that can be restored: the machine replaces or appends to the ghost's lists and never
 * changes a record once made, so copying the containers is enough (`releases` is replaced each
 * step, never appended to, so it is shared).
 */
export function copyGhost(g: Ghost): Ghost {
  return { step: g.step, open: g.open.map((o) => [...o]), tasks: { ...g.tasks }, suspended: { ...g.suspended }, ended: [...g.ended], ipis: [...g.ipis], releases: g.releases };
}

export function newGhost(cpus: number): Ghost {
  return { step: 0, open: Array.from({ length: cpus }, () => []), tasks: {}, suspended: {}, ended: [], ipis: [], releases: [] };
}
