/**
 * Execution units and the choices a scheduling decision offers. A unit is one generator: a
 * task's program, an interrupt handler (from the workload or an IPI), or a context switch in
 * progress. A choice is what the scheduler may do next: run a CPU's innermost context, enter an
 * interrupt, switch a CPU's task, or take an environment action.
 */
import type { EnvAction } from '../protocol.js';
import type { CpuId, TaskId } from '../sim/ids.js';
import type { Exec, Gen, YieldPoint } from '../sim/thread.js';
import type { Cpu, Task } from '../sim/world.js';

export interface Unit {
  id: number;
  /** "task A", "hardirq irq0", "sched" */
  name: string;
  kind: 'task' | 'irq' | 'sched';
  /** the program, until the unit's first step creates its generator */
  body: ((x: Exec<any, any>) => Gen) | null;
  /** irq units: the handler, run inside the irqentry of its kind or (a softirq from local_bh_enable) without one */
  handler?: (x: Exec<any, any>) => Gen;
  gen: Gen | null;
  /** the yield point the unit waits at (null before its first step and once done) */
  pending: YieldPoint | null;
  started: boolean;
  done: boolean;
  /** irq units: entered yet */
  fired: boolean;
  /** steps this unit has taken */
  steps: number;
  /** task units: the task; irq and sched units: -1 and a fixed CPU */
  task: TaskId | -1;
  cpu: CpuId;
  irqKind?: 'hardirq' | 'softirq';
  /**
   * hash of everything the unit has read, step by step (exhaustive search only): it stands for
   * what the generator keeps in its locals, which cannot be inspected
   */
  history: number;
  /** the machine as this unit's code sees it */
  x: Exec<any, any>;
  /**
   * a restartable unit's program (Protocol.restartable): called afresh whenever the unit's next
   * point is needed, so nothing it holds in locals survives a step and a snapshot of the World
   * is a snapshot of the unit
   */
  restart: ((x: Exec<any, any>) => Gen) | null;
  /** a restartable unit's `pending` is out of date (the World changed since it was computed) */
  stale: boolean;
}

export type Choice =
  | { kind: 'run'; cpu: Cpu; unit: Unit }
  /** `bh`: a softirq run from local_bh_enable(), on the current context without an irqentry */
  | { kind: 'irq'; cpu: Cpu; unit: Unit; bh?: boolean }
  | { kind: 'switch'; cpu: Cpu; to: Task }
  | { kind: 'env'; cpu: Cpu; action: EnvAction<any, any> };

/** See ChoiceKey in strategy.ts. */
export function choiceKey(c: Choice, taskUnit: (t: Task) => number): string {
  switch (c.kind) {
    case 'run': return `u${c.unit.id}.${c.unit.steps}@${c.cpu.id}`;
    case 'irq': return `${c.bh ? 'b' : 'i'}${c.unit.id}@${c.cpu.id}`;
    case 'switch': return `s${c.cpu.id}>u${taskUnit(c.to)}`;
    case 'env': return `e${c.cpu.id}:${c.action.fn}:${c.action.what}`;
  }
}

/** Whether the unit's next action (`p`, default its pending point) may happen now: its lock is free, its condition holds. */
export function actionReady(u: Unit, locks: Record<string, number>, p: YieldPoint | null = u.pending): boolean {
  if (!p) return false;
  if (p.until && !p.until()) return false;
  return p.lock === undefined || locks[p.lock] === undefined;
}
