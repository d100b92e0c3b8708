/**
 * Exhaustive depth-first search of ONE workload of a restartable protocol (Protocol.restartable:
 * every program keeps its state in the World), as an explicit-state model checker does it: a
 * state at a scheduling decision is saved (Engine.snapshot) and each of its choices is taken
 * from a restored copy, so no prefix is ever re-executed; equal states are explored once (a
 * visited set of fingerprints, which for restartable units are the World and the scheduler's
 * state alone). Every distinct state reached counts, as in an explicit-state model checker;
 * only states with more than one choice are saved.
 */
import { Engine, type Decision, type Snapshot } from '../engine/engine.js';
import type { Protocol, Variant } from '../protocol.js';
import { type ExhaustiveOptions, type ExhaustiveResult } from './exhaustive.js';

/** A state with several choices: the first is taken from the live state, the others from its snapshot. */
interface Frame { snap: Snapshot; n: number; next: number }

/** No strategy: the search takes the choices itself. */
const NONE = { next(): number { throw new Error('internal: snapshot search takes its own choices'); } };

export function snapshotDfs(protocol: Protocol, variant: Variant, workload: unknown, o: ExhaustiveOptions): ExhaustiveResult {
  const engine = new Engine<unknown, unknown>(protocol, variant, workload, NONE, o.exec);
  const visited = new Set<number>();
  const stack: Frame[] = [];
  /** steps taken: every edge of the state graph the search walked */
  let transitions = 0;
  const done = (complete: boolean, failure: ReturnType<Engine<unknown, unknown>['attempt']>) => ({
    states: visited.size, transitions, executions: 1, steps: transitions, complete,
    failure: failure ? engine.result(failure) : null,
  });

  /**
   * Goes on from the state `first` leads to, choice 0 first (from the live state, no restore),
   * up to a state already seen, the end, or a failure; states with more choices are saved.
   */
  const settle = (first: () => void) => engine.attempt(() => {
    first();
    for (;;) {
      const d: Decision | null = engine.decide();
      const h = engine.stateHash();
      if (visited.has(h)) return;
      visited.add(h);
      if (!d) {
        engine.finish();
        return;
      }
      if (d.choices.length > 1) stack.push({ snap: engine.snapshot(), n: d.choices.length, next: 1 });
      engine.take(d, 0);
      transitions++;
    }
  });

  let failure = settle(() => engine.begin());
  while (!failure && stack.length > 0) {
    if (visited.size >= o.maxStates || (o.deadline !== undefined && performance.now() > o.deadline)) return done(false, null);
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
