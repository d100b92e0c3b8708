/** Results are data: rendering happens at the edge (CLI, assert()), never in the runtime. */

export type FailureKind = 'invariant' | 'spec-refused' | 'livelock' | 'deadlock' | 'thread-threw';

export interface Failure {
  kind: FailureKind;
  /** the invariant violated; liveness failures are 'kernel/progress', a BUG() is 'kernel/BUG' */
  invariant: string;
  /** what the invariant means (from its definition) */
  meaning: string;
  message: string;
  /** index of the step after which the failure was detected */
  step: number;
  /** spec state that refused, for spec-refused */
  specState?: string;
  /** the refused event */
  event?: string;
}

export interface TraceStep {
  i: number;
  cpu: number;
  /** who ran: "task A", "hardirq irq0", "sched", "env" */
  ctx: string;
  fn: string;
  what: string;
  /** observed values that changed in this step: "pkmap_count[0]: 1 → 2" */
  changes: string[];
  /** spec events this step reported */
  spec: string[];
  warnings: string[];
  /** the scheduler picked a different unit than the one that ran before */
  switched: boolean;
  /** the scheduler switched away from a unit that could have gone on (a preemption) */
  preempted?: boolean;
}

export interface Execution {
  failure: Failure | null;
  steps: number;
  /** the choices taken, one per step that had more than one runnable choice */
  choices: number[];
  /** decisions that switched away from a unit that could have gone on */
  preemptions: number;
  /** environment actions taken (speculative fills, write-backs) */
  envSteps: number;
  counters: Record<string, number>;
  warnings: string[];
  trace: TraceStep[] | null;
}
