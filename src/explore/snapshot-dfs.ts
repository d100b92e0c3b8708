/**
 * Exhaustive depth-first search of ONE workload of a restartable protocol (Protocol.restartable:
 * every program keeps its state in the World), as an explicit-state model checker does it: a
 * state at a scheduling decision is saved (Engine.snapshot) and each of its choices is taken
 * from a restored copy, so no prefix is ever re-executed; equal states are explored once (a
 * visited set of state hashes, which for restartable units cover the World and the scheduler's
 * state alone). Every distinct state reached counts, as in an explicit-state model checker;
 * only states with more than one choice are saved. The visited set may be shared between worker
 * threads (parallel-snapshot.ts): each state is then expanded by exactly one of them.
 */
import { Engine, type Decision, type Snapshot } from '../engine/engine.js';
import type { Failure } from '../engine/result.js';
import type { Protocol, Variant } from '../protocol.js';
import type { ExhaustiveOptions, ExhaustiveResult } from './exhaustive.js';

/** A set of state hashes: `add` says whether the state is new. */
export interface Visited {
  add(h: number): boolean;
}

export class LocalVisited implements Visited {
  private readonly set = new Set<number>();
  add(h: number): boolean {
    if (this.set.has(h)) return false;
    this.set.add(h);
    return true;
  }
}

/** A state with several choices: the first is taken from the live state, the others from its snapshot. */
interface Frame { snap: Snapshot; n: number; next: number }

/** No strategy: the search takes the choices itself. */
const NONE = { next(): number { throw new Error('internal: snapshot search takes its own choices'); } };

/** A new engine for the workload, at its initial state (checked). */
export function startEngine(protocol: Protocol, variant: Variant, workload: unknown, o: ExhaustiveOptions): { engine: Engine<unknown, unknown>; failure: Failure | null } {
  const engine = new Engine<unknown, unknown>(protocol, variant, workload, NONE, o.exec);
  return { engine, failure: engine.attempt(() => engine.begin()) };
}

export function snapshotDfs(protocol: Protocol, variant: Variant, workload: unknown, o: ExhaustiveOptions): ExhaustiveResult {
  const { engine, failure } = startEngine(protocol, variant, workload, o);
  if (failure) return { states: 1, transitions: 0, executions: 1, steps: 0, complete: false, failure: engine.result(failure) };
  return searchFrom(engine, new LocalVisited(), o);
}

/**
 * The search from the engine's current state (taken as new when `expand` says so, as a parallel
 * search's frontier state is: another thread added it). `stop()` ends it early, incomplete.
 */
export function searchFrom(engine: Engine<unknown, unknown>, visited: Visited, o: ExhaustiveOptions,
  opt: { expand?: boolean; stop?: () => boolean } = {}): ExhaustiveResult {
  const stack: Frame[] = [];
  let states = 0;
  /** every edge of the state graph the search walked */
  let transitions = 0;
  const done = (complete: boolean, failure: Failure | null): ExhaustiveResult => ({
    states, transitions, executions: 1, steps: transitions, complete, failure: failure ? engine.result(failure) : null,
  });

  /**
   * Goes on from the state `first` leads to, choice 0 first (from the live state, no restore),
   * up to a state already seen, the end, or a failure; states with more choices are saved.
   */
  let forced = opt.expand ?? false;
  const settle = (first: () => void) => engine.attempt(() => {
    first();
    for (;;) {
      const d: Decision | null = engine.decide();
      // a state given to expand was added, and counted, by the thread that found it
      if (!forced) {
        if (!visited.add(engine.stateHash())) return;
        states++;
      }
      forced = false;
      if (!d) {
        engine.finish();
        return;
      }
      if (d.choices.length > 1) stack.push({ snap: engine.snapshot(), n: d.choices.length, next: 1 });
      engine.take(d, 0);
      transitions++;
    }
  });

  let failure = settle(() => {});
  while (!failure && stack.length > 0) {
    if (states >= o.maxStates || (o.deadline !== undefined && performance.now() > o.deadline) || opt.stop?.()) return done(false, null);
    const top = stack[stack.length - 1]!;
    if (top.next >= top.n) {
      stack.pop();
      continue;
    }
    const pick = top.next++;
    engine.restore(top.snap);
    transitions++;
    failure = settle(() => engine.take(engine.decide()!, pick));
  }
  return done(!failure, failure);
}
