/**
 * What a protocol is made of: a statechart (the spec), a kernel model built per variant, the
 * workloads that drive it, and the invariants that judge every step. A new protocol touches
 * model/<p>.machine.ts, src/kernel/..., properties/<p>.ts.
 */
import type * as fc from 'fast-check';
import type { AnyStateMachine, SnapshotFrom } from 'xstate';
import type { Ghost } from './engine/ghost.js';
import type { Exec, Gen } from './sim/thread.js';
import type { PreemptModel, Task, World } from './sim/world.js';

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
   * statechart enforces by refusing events (the protocol's refusal() names them). `ghost` is what
   * the engine recorded (contexts begun and ended, IPIs sent), outside the kernel model's reach.
   */
  check?(w: World<K>, spec: S, ghost: Ghost): string | null | undefined | void;
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
  /** the preemption model the variant's kernel shipped with (default 'full') */
  preempt?: PreemptModel;
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

/**
 * A hardware or environment action enabled in the current state (a speculative TLB or cache
 * fill, a write-back): one atomic step the scheduler may take between any two others, like an
 * interrupt. Enable an action only when it would change something, so that searches terminate.
 */
export interface EnvAction<K, E> {
  /** the CPU whose hardware acts */
  cpu: number;
  /** the action, in kernel or hardware words: 'tlb_fill', 'wbinvd' */
  fn: string;
  /** what it does here; unique among the actions enabled at once ("0x1001 → p0") */
  what: string;
  run(x: Exec<K, E>): void;
}

export interface Setup<K, E> {
  k: K;
  tasks: TaskProgram<K, E>[];
  irqs: IrqProgram<K, E>[];
  hooks: Hooks<K, E>;
  /** input of the spec machine */
  specInput: unknown;
}

export interface WorkloadOptions<C> {
  cpus: number;
  /** operations per program (task or handler), at most */
  ops: number;
  variant: Variant<C>;
  /**
   * swarm testing (Groce et al., ISSTA 2012): the operation kinds this run may use, a subset of
   * Protocol.operations drawn per run; absent: all of them
   */
  kinds?: ReadonlySet<string>;
  /** parameters the user fixed (`--param name=value`); the generator varies the others */
  params?: Readonly<Record<string, number>>;
}

/** A workload parameter a user can fix and the generator otherwise varies (pool size, nesting). */
export interface Parameter {
  name: string;
  description: string;
  min: number;
  max: number;
}

/** The bounds of a proof: `kcheck prove` explores every workload within them. */
export interface ProofBounds<C> {
  cpus: number;
  /** operations per program, at most */
  ops: number;
  variant: Variant<C>;
  params?: Readonly<Record<string, number>>;
}

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
  /** the operation kinds workloads are made of (for swarm testing); each is a name `kinds` may hold */
  operations?: string[];
  /** workload parameters (pool size, nesting, ...) that `--param` may fix */
  parameters?: Parameter[];
  /**
   * every workload within the bounds, each once, smallest first: the operation alphabet that
   * `kcheck prove` explores together with every interleaving (required for prove)
   */
  enumerate?(o: ProofBounds<C>): Iterable<W>;
  setup(workload: W, variant: Variant<C>, o: { cpus: number }): Setup<K, E>;
  /** smaller legal workloads than this one, for the replay minimizer (optional) */
  shrinkWorkload?(workload: W): Iterable<W>;
  /** the invariant a spec event violates when the statechart refuses it */
  refusal(event: E): string;
  /**
   * the protocol's programs keep all their state in the World, as guarded commands do: each one
   * may be called afresh before any step and, from the World alone, yield the point it waits at
   * (its locals never outlive a step). Searches then save and restore whole states instead of
   * re-executing prefixes. Such a protocol has no interrupt handlers, exceptions or switch hooks.
   */
  restartable?: boolean;
  /** environment actions enabled in this state (none by default) */
  environment?(w: World<K>): EnvAction<K, E>[];
  /**
   * a context's protocol state worth comparing between its entry and its end (e.g. the PKRS
   * value of the CPU): the engine records it in the ghost state at both moments
   */
  contextState?(w: World<K>, cpu: number): unknown;
  /** named values shown in traces ("values that changed") */
  observe?(w: World<K>): Record<string, string | number | boolean>;
  /** the workload as the report prints it, one list of lines per program */
  describe?(workload: W): string[];
}

/**
 * The one rule for a verdict as expected: a correct variant holds (invariant null); a buggy one
 * fails by the invariant it names or by one of those it lists as also catching it.
 */
export function asExpected(v: Variant, failed: string | null): boolean {
  if (!v.buggy) return failed === null;
  return failed !== null && (failed === v.expect || (v.alsoCaughtBy ?? []).includes(failed));
}

export function defineProtocol<K, E, W, C, M extends AnyStateMachine>(p: Protocol<K, E, W, C, M>): Protocol<K, E, W, C, M> {
  return p;
}

export function defineInvariant<K = any, S = any>(inv: Invariant<K, S>): Invariant<K, S> {
  if (!/^[\w.-]+\/[\w.-]+$/.test(inv.name)) throw new Error(`invariant name '${inv.name}' must look like '<protocol>/<name>'`);
  return inv;
}
