/**
 * What the exhaustive strategies (dfs.ts, bfs.ts) share: search by re-executing choice prefixes
 * through the Engine, a visited set of state fingerprints, and the result. Every execution
 * records what each step reads (engine/record.ts), so that a state includes what each thread
 * keeps in its generator's locals: merging is sound whatever kernel code keeps there.
 */
import { Engine, type ExecOptions } from '../engine/engine.js';
import type { Execution } from '../engine/result.js';
import type { Protocol, Variant } from '../protocol.js';
import { StrategySignal, type Strategy } from '../engine/strategy.js';

export interface ExhaustiveOptions {
  /** engine options (without a recorder: the search brings its own); `maxPreemptions` is the preemption bound B */
  exec: ExecOptions;
  /** stop after this many distinct states (the result then says it is incomplete) */
  maxStates: number;
  /** default false (DFS only): sleep sets, so that independent steps are not permuted */
  reduction?: boolean;
  /** default true: merge equal states; off, the search enumerates every interleaving */
  cache?: boolean;
  /** performance.now() after which the search stops, incomplete */
  deadline?: number;
  /** called with every finished execution (tests list the interleavings) */
  onExecution?: (r: Execution) => void;
}

export interface ExhaustiveResult {
  /** distinct states at scheduling decisions, plus distinct final states */
  states: number;
  /** choices taken from those states (edges of the explored graph) */
  transitions: number;
  /** executions of the program (re-executions of prefixes included) */
  executions: number;
  /** engine steps over all those executions */
  steps: number;
  /** false when max-states, the time limit or a violation stopped the search */
  complete: boolean;
  /** the first violating execution found (BFS: one with the fewest steps) */
  failure: Execution | null;
}

/** Ends an execution that reached an explored (or frontier) state. */
export class Pruned extends StrategySignal {}
/** thrown once per execution: one shared instance saves capturing a stack each time */
export const PRUNED = new Pruned('pruned');

/** A strategy that looks at the engine running it (fingerprints, footprints). */
export interface EngineAware extends Strategy {
  attach(engine: Engine<unknown, unknown>): void;
}

/** One execution; null when the strategy pruned it. */
export function executeWith(protocol: Protocol, variant: Variant, workload: unknown, strategy: EngineAware,
  exec: ExecOptions): { r: Execution | null; engine: Engine<unknown, unknown> } {
  const engine = new Engine<unknown, unknown>(protocol, variant, workload, strategy, exec);
  strategy.attach(engine);
  try {
    return { r: engine.run(), engine };
  } catch (e) {
    if (e instanceof Pruned) return { r: null, engine };
    throw e;
  }
}
