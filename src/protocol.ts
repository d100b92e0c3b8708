/**
 * What a protocol is made of: a statechart (the spec), a kernel model built per variant, the
 * workloads that drive it, and the invariants that judge every step. A new protocol touches
 * model/<p>.machine.ts, src/kernel/..., properties/<p>.ts.
 */
import type * as fc from 'fast-check';
import type { AnyStateMachine, SnapshotFrom } from 'xstate';
import type { Exec, Gen } from './sim/thread.js';
import type { Task, World } from './sim/world.js';

export interface Invariant<K = any, S = any> {
  /** '<protocol>/<name>', e.g. 'kmap/B-INV6-pkmap-counts' */
  name: string;
  /** what must hold, in protocol terms (printed next to a violation) */
  description: string;
  /** checked only once, when every thread has finished (default: after every step) */
  final?: boolean;
  /**
   * a finding, not a failure: the strong form of a property that a design gives up on purpose.
   * Its check records what it sees (in the protocol's state and counters) and never fails a run.
   */
  informational?: boolean;
  /**
   * a violation message, or nothing when the invariant holds. Absent for invariants that the
   * statechart enforces by refusing events (the protocol's refusal() names them).
   */
  check?(w: World<K>, spec: S): string | null | undefined | void;
}

export interface Variant<C = unknown> {
  name: string;
  buggy: boolean;
  /** one line: what this design or bug is */
  description: string;
  /** where it comes from: Message-ID, commit, file */
  source: string;
  /** for buggy variants: the invariant expected to catch it */
  expect?: string;
  /** other general invariants that may fire first, depending on the workload the search finds */
  alsoCaughtBy?: string[];
  config: C;
}

export interface TaskProgram<K, E> { name: string; cpu: number; run(x: Exec<K, E>): Gen }
export interface IrqProgram<K, E> {
  name: string;
  cpu: number;
  kind: 'hardirq' | 'softirq';
  run(x: Exec<K, E>): Gen;
}

/** Hooks the engine calls on context switch and interrupt entry/exit. */
export interface Hooks<K, E> {
  prepare_task_switch?(x: Exec<K, E>, prev: Task): Gen;
  finish_task_switch?(x: Exec<K, E>, next: Task): Gen;
  /** entry of an interrupt or exception context (idtentry_enter, irq_enter) */
  irq_enter?(x: Exec<K, E>, kind: ContextKind): void;
  /** return from it (irqentry_exit, irq_exit) */
  irq_exit?(x: Exec<K, E>, kind: ContextKind): void;
}

export type ContextKind = 'hardirq' | 'softirq' | 'exception';

export interface Setup<K, E> {
  k: K;
  tasks: TaskProgram<K, E>[];
  irqs: IrqProgram<K, E>[];
  hooks: Hooks<K, E>;
  /** input of the spec machine */
  specInput: unknown;
}

export interface WorkloadOptions<C> { cpus: number; ops: number; variant: Variant<C> }

export interface Protocol<K = any, E = any, W = any, C = any, M extends AnyStateMachine = AnyStateMachine> {
  name: string;
  description: string;
  machine: M;
  variants: Variant<C>[];
  invariants: Invariant<K, SnapshotFrom<M>>[];
  /**
   * the workloads this protocol runs (JSON data: it travels in replay tokens). The arrays at
   * the top level of a workload object hold independent programs (tasks, interrupt handlers):
   * the minimizer may drop any one of them, so each must be legal on its own.
   */
  workload(o: WorkloadOptions<C>): fc.Arbitrary<W>;
  setup(workload: W, variant: Variant<C>, o: { cpus: number }): Setup<K, E>;
  /** smaller legal workloads than this one, for the replay minimizer (optional) */
  shrinkWorkload?(workload: W): Iterable<W>;
  /** the invariant a spec event violates when the statechart refuses it */
  refusal(event: E): string;
  /** named values shown in traces ("values that changed") */
  observe?(w: World<K>): Record<string, string | number | boolean>;
  /** the workload as the report prints it, one list of lines per program */
  describe?(workload: W): string[];
}

export function defineProtocol<K, E, W, C, M extends AnyStateMachine>(p: Protocol<K, E, W, C, M>): Protocol<K, E, W, C, M> {
  return p;
}

export function defineInvariant<K = any, S = any>(inv: Invariant<K, S>): Invariant<K, S> {
  if (!/^[\w.-]+\/[\w.-]+$/.test(inv.name)) throw new Error(`invariant name '${inv.name}' must look like '<protocol>/<name>'`);
  return inv;
}
