/**
 * Exhaustive depth-first search of ONE workload of a restartable protocol (Protocol.restartable:
 * every program keeps its state in the World), as an explicit-state model checker does it: a
 * state at a scheduling decision is saved (Engine.snapshot) and each of its choices is taken
 * from a restored copy, so no prefix is ever re-executed; equal states are explored once (a
 * visited set of fingerprints, which for restartable units are the World and the scheduler's
 * state alone). Steps with a single choice are taken on the way, as in the other searches:
 * states are counted at decisions, plus the distinct final states.
 */
import { Engine, type Decision, type Snapshot } from '../engine/engine.js';
import type { Protocol, Variant } from '../protocol.js';
import { hash53, type ExhaustiveOptions, type ExhaustiveResult } from './exhaustive.js';

interface Frame { snap: Snapshot; n: number; next: number }

/** No strategy: the search takes the choices itself. */
const NONE = { next(): number { throw new Error('internal: snapshot search takes its own choices'); } };

export function snapshotDfs(protocol: Protocol, variant: Variant, workload: unknown, o: ExhaustiveOptions): ExhaustiveResult {
  const engine = new Engine<unknown, unknown>(protocol, variant, workload, NONE, o.exec);
  const visited = new Set<number>();
  const finals = new Set<number>();
  const stack: Frame[] = [];
  let transitions = 0;
  let steps = 0;
  const done = (complete: boolean, failure: ReturnType<Engine<unknown, unknown>['attempt']>) => ({
    states: visited.size + finals.size, transitions, executions: 1, steps, complete,
    failure: failure ? engine.result(failure) : null,
  });

  /** Takes forced steps up to the next decision; records it (or the end) and says whether to go deeper. */
  const settle = (first: () => void) => engine.attempt(() => {
    first();
    let d: Decision | null;
    for (d = engine.decide(); d && d.choices.length === 1; d = engine.decide()) {
      engine.take(d, 0);
      steps++;
    }
    if (!d) {
      engine.finish();
      finals.add(hash53(engine.fingerprint()));
      return;
    }
    const h = hash53(engine.fingerprint());
    if (visited.has(h)) return;
    visited.add(h);
    stack.push({ snap: engine.snapshot(), n: d.choices.length, next: 0 });
  });

  let failure = settle(() => engine.begin());
  while (!failure && stack.length > 0) {
    if (visited.size + finals.size >= o.maxStates || (o.deadline !== undefined && performance.now() > o.deadline)) return done(false, null);
    const top = stack[stack.length - 1]!;
    if (top.next >= top.n) {
      stack.pop();
      continue;
    }
    const pick = top.next++;
    engine.restore(top.snap);
    transitions++;
    failure = settle(() => {
      engine.take(engine.decide()!, pick);
      steps++;
    });
  }
  return done(!failure, failure);
}
