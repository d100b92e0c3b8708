/**
 * Exhaustive depth-first search over the choice tree of ONE workload, stateless: each execution
 * replays the choices of the current path through the Engine, then extends it until it ends or
 * reaches a state already explored (World fingerprints in a visited set).
 *
 * Reduction: sleep sets (Godefroid 1996, ch. 5). After choice t was explored from state s, a
 * later sibling u of s passes t down "asleep" as long as t and u are independent (disjoint
 * footprints, recorded per step); a sleeping choice is not taken again. Sleep sets cut
 * transitions, not states: every reachable state is still visited (Godefroid, Thm 5.2), so the
 * state count equals the unreduced search's, which the tests check. With the visited set, a
 * state revisited with a sleep set that is not a superset of its first one is explored again
 * with the intersection (the usual combination, sound for state reachability).
 */
import type { Engine } from '../engine/engine.js';
import type { Protocol, Variant } from '../protocol.js';
import { dependent, EVERYTHING, Recorder, type Footprint } from '../engine/record.js';
import { executeWith, PRUNED, type EngineAware, type ExhaustiveOptions, type ExhaustiveResult } from './exhaustive.js';

interface Node {
  keys: readonly string[];
  chosen: number;
  /** footprint of the chosen step, known once it ran */
  chosenFp: Footprint | null;
  sleep: Map<string, Footprint>;
  /** choices explored from here, with their footprints */
  done: Map<string, Footprint>;
}

const UNKNOWN: Footprint = { reads: [EVERYTHING], writes: [EVERYTHING] };

export function dfs(protocol: Protocol, variant: Variant, workload: unknown, o: ExhaustiveOptions): ExhaustiveResult {
  const reduction = o.reduction ?? false;
  const cache = o.cache ?? true;
  const record = new Recorder({ history: true, footprints: reduction });
  const track = reduction ? record : undefined;
  const exec = { ...o.exec, record };
  /** state hash -> keys asleep when it was (last) explored */
  const visited = new Map<number, Set<string>>();
  const stack: Node[] = [];
  let transitions = 0;
  let executions = 0;
  let steps = 0;
  let states = 0;

  const strategy = new (class implements EngineAware {
    readonly keyed = true;
    engine!: Engine<unknown, unknown>;
    depth = 0;
    replaying = false;
    attach(e: Engine<unknown, unknown>) { this.engine = e; this.depth = 0; this.replaying = stack.length > 0; }

    next(n: number, keys?: readonly string[]): number {
      const d = this.depth++;
      const fps = track?.drain() ?? [];
      if (d < stack.length) {
        const node = stack[d]!;
        if (node.keys.length !== n) throw new Error('internal: the program is not deterministic under replay');
        // the last node of the prefix takes a new choice: what follows was never checked
        this.replaying = d + 1 < stack.length;
        return node.chosen;
      }
      const parent = stack[d - 1];
      if (parent && !parent.chosenFp) parent.chosenFp = fps[0] ?? UNKNOWN;
      let sleep = parent && track ? childSleep(parent, fps) : new Map<string, Footprint>();
      if (cache) {
        const h = this.engine.stateHash();
        const before = visited.get(h);
        if (before) {
          if ([...before].every((k) => sleep.has(k))) throw PRUNED;
          sleep = new Map([...sleep].filter(([k]) => before.has(k)));
        } else {
          states++;
        }
        visited.set(h, new Set(sleep.keys()));
      } else {
        states++;
      }
      const c = keys!.findIndex((k) => !sleep.has(k));
      if (c < 0) throw PRUNED; // everything from here is covered by explored siblings
      stack.push({ keys: keys!, chosen: c, chosenFp: null, sleep, done: new Map() });
      transitions++;
      return c;
    }
  })();

  const finals = new Set<number>();
  for (;;) {
    const { r, engine } = executeWith(protocol, variant, workload, strategy, exec);
    executions++;
    steps += engine.steps;
    const last = stack[stack.length - 1];
    const fps = track?.drain() ?? [];
    if (last && !last.chosenFp) last.chosenFp = fps[0] ?? UNKNOWN;
    if (r) {
      o.onExecution?.(r);
      if (r.failure) return { states: states + finals.size, transitions, executions, steps, complete: false, failure: r };
      if (cache) finals.add(engine.stateHash());
      else states++;
    }
    if (states + finals.size >= o.maxStates || (o.deadline !== undefined && performance.now() > o.deadline)) return { states: states + finals.size, transitions, executions, steps, complete: false, failure: null };
    if (!backtrack()) return { states: states + finals.size, transitions, executions, steps, complete: true, failure: null };
  }

  /** Moves the deepest node with an unexplored, awake choice to it; false when none is left. */
  function backtrack(): boolean {
    while (stack.length > 0) {
      const node = stack[stack.length - 1]!;
      node.done.set(node.keys[node.chosen]!, node.chosenFp ?? UNKNOWN);
      node.chosenFp = null;
      const c = node.keys.findIndex((k) => !node.done.has(k) && !node.sleep.has(k));
      if (c >= 0) {
        node.chosen = c;
        transitions++;
        return true;
      }
      stack.pop();
    }
    return false;
  }
}

/** Sleep set of the state reached from `parent` by its chosen step and the forced steps after it. */
function childSleep(parent: Node, fps: Footprint[]): Map<string, Footprint> {
  const chosen = parent.keys[parent.chosen]!;
  const out = new Map<string, Footprint>();
  for (const src of [parent.sleep, parent.done]) {
    for (const [k, fp] of src) {
      if (k !== chosen && fps.every((f) => !dependent(fp, f))) out.set(k, fp);
    }
  }
  return out;
}

