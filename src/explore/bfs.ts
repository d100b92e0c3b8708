/**
 * Exhaustive breadth-first search over the choice tree of ONE workload, in order of steps taken
 * (uniform-cost: states are expanded by their step count), so the first violation it reports is
 * one with the fewest steps of any execution within the bounds: the shortest counterexample.
 * Stateless like DFS: each edge is one re-execution of the path to its source state plus one
 * choice, stopped at the next scheduling decision. No reduction (a sleep set is a property of
 * a DFS path); equal states are merged through the visited set.
 */
import type { Engine } from '../engine/engine.js';
import type { Execution } from '../engine/result.js';
import type { Protocol, Variant } from '../protocol.js';
import { Recorder } from '../engine/record.js';
import { executeWith, PRUNED, type EngineAware, type ExhaustiveOptions, type ExhaustiveResult } from './exhaustive.js';

interface Frontier { path: number[]; n: number }

/** Follows `path`, then stops at the next decision, reporting its state. */
class ToNextDecision implements EngineAware {
  readonly keyed = false;
  private engine!: Engine<unknown, unknown>;
  private i = 0;
  /** set when the execution stopped at a decision */
  reached: { hash: number; n: number; steps: number } | null = null;
  constructor(private readonly path: readonly number[]) {}
  /** the path up to its last choice was checked when its source state was reached */
  replaying = false;
  attach(e: Engine<unknown, unknown>) { this.engine = e; this.replaying = this.path.length > 0; }
  next(n: number): number {
    const c = this.path[this.i++];
    this.replaying = this.i < this.path.length;
    if (c !== undefined) return c;
    this.reached = { hash: this.engine.stateHash(), n, steps: this.engine.steps };
    throw PRUNED;
  }
}

export function bfs(protocol: Protocol, variant: Variant, workload: unknown, o: ExhaustiveOptions): ExhaustiveResult {
  const visited = new Set<number>();
  /** frontier states by step count */
  const buckets = new Map<number, Frontier[]>();
  let transitions = 0;
  let executions = 0;
  let steps = 0;
  let best: Execution | null = null;
  const record = new Recorder({ history: true });

  /** Runs `path`; a new decision state joins the frontier, an end is checked for a violation. */
  const visit = (path: number[]): void => {
    const s = new ToNextDecision(path);
    const { r, engine } = executeWith(protocol, variant, workload, s, { ...o.exec, record });
    executions++;
    steps += engine.steps;
    if (r) {
      o.onExecution?.(r);
      if (r.failure && (!best || r.steps < best.steps)) best = r;
      visited.add(engine.stateHash());
      return;
    }
    const at = s.reached!;
    if (visited.has(at.hash)) return;
    visited.add(at.hash);
    const list = buckets.get(at.steps) ?? [];
    list.push({ path, n: at.n });
    buckets.set(at.steps, list);
  };

  visit([]);
  for (;;) {
    const cost = Math.min(...buckets.keys());
    // a failure after f steps beats every state not yet expanded that is at least f steps deep
    if (!Number.isFinite(cost) || (best && cost >= (best as Execution).steps)) break;
    if (visited.size >= o.maxStates || (o.deadline !== undefined && performance.now() > o.deadline)) return { states: visited.size, transitions, executions, steps, complete: false, failure: best };
    const list = buckets.get(cost)!;
    const node = list.pop()!;
    if (list.length === 0) buckets.delete(cost);
    for (let c = 0; c < node.n; c++) {
      transitions++;
      visit([...node.path, c]);
    }
  }
  return { states: visited.size, transitions, executions, steps, complete: best === null, failure: best };
}
