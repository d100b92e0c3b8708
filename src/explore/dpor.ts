/**
 * Stateless search of ONE workload with dynamic partial-order reduction: source sets with sleep
 * sets (Abdulla, Aronis, Jonsson, Sagonas, "Optimal Dynamic Partial Order Reduction", POPL 2014,
 * Algorithm 1, "Source-DPOR"). Executions that differ only in the order of independent steps
 * belong to one Mazurkiewicz trace; the search explores at least one execution of every trace,
 * and where threads touch different objects far fewer than every interleaving. No state is
 * compared, so nothing a generator keeps in its locals can be merged away.
 *
 * Each execution is re-executed from the start through the Engine. A step's process is what
 * chooses it (a unit's steps, an interrupt's entry, a switch, an environment action); two steps
 * are dependent when they belong to one process or one writes what the other reads or writes
 * (footprints recorded through the World's proxy, plus what the engine itself touches). After
 * each complete execution every race (two dependent steps of different processes with no step
 * between them in the happens-before order) adds, at the state before the first, a process that
 * can start the reversed order (an initial of notdep(e).p); where none can, every enabled one.
 *
 * Requires an unbounded search (preemption bounds are not sound with DPOR; Coons, Musuvathi,
 * McKinley, OOPSLA 2013).
 */
import { Engine } from '../engine/engine.js';
import { dependent, Recorder, type Footprint } from '../engine/record.js';
import type { Execution } from '../engine/result.js';
import type { Protocol, Variant } from '../protocol.js';
import type { ExhaustiveOptions, ExhaustiveResult } from './exhaustive.js';

/** The process a choice belongs to: a unit ("u5" for every step of unit 5), an interrupt entry, a switch, an environment action. */
export function processOf(key: string): string {
  const run = /^u(\d+)\./.exec(key);
  return run ? `u${run[1]}` : key.replace(/@\d+$/, '');
}

interface Node {
  /** enabled processes here, with their choice index */
  enabled: Map<string, number>;
  /** the process taken by the current execution, and the footprint of its step */
  chosen: string;
  fp: Footprint;
  /** processes still to take from here (source set) */
  backtrack: Set<string>;
  /** processes whose exploration from here is done or covered: not to be taken again; with their step's footprint */
  sleep: Map<string, Footprint>;
}

export interface DporResult extends ExhaustiveResult {
  /** complete executions (one or more per Mazurkiewicz trace) */
  traces: number;
  /** executions cut short because every enabled process was asleep (redundant) */
  blocked: number;
}

/** No strategy: the search takes the choices itself. */
const NONE = { next(): number { throw new Error('internal: DPOR takes its own choices'); } };

export function dpor(protocol: Protocol, variant: Variant, workload: unknown, o: ExhaustiveOptions): DporResult {
  if (Number.isFinite(o.exec.maxPreemptions)) throw new Error('internal: DPOR needs an unbounded search (no preemption bound)');
  const record = new Recorder({ history: true, footprints: true });
  const stack: Node[] = [];
  let executions = 0;
  let traces = 0;
  let blocked = 0;
  let steps = 0;
  let transitions = 0;
  /** distinct states the new steps reached (for the report only: nothing is pruned by them) */
  const seen = new Set<number>();
  const result = (complete: boolean, failure: Execution | null): DporResult => ({
    states: seen.size, transitions, executions, steps, complete, failure, traces, blocked,
  });

  for (;;) {
    if (o.deadline !== undefined && performance.now() > o.deadline) return result(false, null);
    if (transitions >= o.maxStates) return result(false, null);
    const engine = new Engine<unknown, unknown>(protocol, variant, workload, NONE, { ...o.exec, record });
    const procs: string[] = [];
    const fps: Footprint[] = [];
    let sleepBlocked = false;
    // the steps from the last node of the previous execution on are new; those before replay it
    const replayed = stack.length - 1;
    executions++;
    const failure = engine.attempt(() => {
      engine.begin();
      for (let depth = 0; ; depth++) {
        const d = engine.decide();
        if (!d) {
          engine.finish();
          return;
        }
        const keys = d.keys().map(processOf);
        let node = stack[depth];
        if (!node) {
          const enabled = new Map(keys.map((p, i) => [p, i] as const));
          const sleep = depth === 0 ? new Map<string, Footprint>() : childSleep(stack[depth - 1]!, fps[depth - 1]!);
          const first = [...enabled.keys()].find((p) => !sleep.has(p));
          if (first === undefined) {
            sleepBlocked = true;
            return;
          }
          node = { enabled, chosen: first, fp: { reads: [], writes: [] }, backtrack: new Set([first]), sleep };
          stack.push(node);
        }
        engine.take(d, node.enabled.get(node.chosen)!);
        node.fp = record.drain()[0]!; // the Engine records one footprint per step
        procs.push(node.chosen);
        fps.push(node.fp);
        steps++;
        if (depth >= replayed) {
          transitions++;
          seen.add(engine.stateHash());
        }
      }
    });
    if (failure) return result(false, engine.result(failure));
    if (sleepBlocked) blocked++;
    else {
      traces++;
      o.onExecution?.(engine.result(null));
      addBacktracks(stack, procs, fps);
    }
    if (!backtrack(stack)) return result(true, null);
  }
}

/** Sleep set of the state after `parent`'s chosen step: its sleepers independent of that step. */
function childSleep(parent: Node, fp: Footprint): Map<string, Footprint> {
  const out = new Map<string, Footprint>();
  for (const [p, f] of parent.sleep) if (p !== parent.chosen && !dependent(f, fp)) out.set(p, f);
  return out;
}

/**
 * Race analysis of a complete execution: happens-before as predecessor sets (a step's
 * predecessors are the dependent earlier steps and theirs); for each race i ⋖ j, an initial of
 * notdep(i).proc(j) goes into the source set at the state before i.
 */
function addBacktracks(stack: Node[], procs: string[], fps: Footprint[]): void {
  const n = procs.length;
  const dep = (i: number, j: number) => procs[i] === procs[j] || dependent(fps[i]!, fps[j]!);
  const pred: Set<number>[] = [];
  for (let j = 0; j < n; j++) {
    const p = new Set<number>();
    for (let i = j - 1; i >= 0; i--) {
      if (p.has(i) || !dep(i, j)) continue;
      p.add(i);
      for (const k of pred[i]!) p.add(k);
    }
    pred.push(p);
  }
  for (let j = 0; j < n; j++) {
    for (const i of pred[j]!) {
      if (procs[i] === procs[j] || !dep(i, j)) continue;
      // a race only when no step in between is ordered after i and before j
      let between = false;
      for (let k = i + 1; k < j && !between; k++) between = pred[k]!.has(i) && pred[j]!.has(k);
      if (between) continue;
      const node = stack[i]!;
      const initials = initialsAfter(i, j, procs, pred);
      const enabled = initials.filter((p) => node.enabled.has(p));
      if (initials.some((p) => node.backtrack.has(p))) continue;
      if (enabled.length > 0) node.backtrack.add(enabled.includes(procs[j]!) ? procs[j]! : enabled[0]!);
      else for (const p of node.enabled.keys()) node.backtrack.add(p);
    }
  }
}

/** The processes that can start v = notdep(i).proc(j): their first step in v has no predecessor in v. */
function initialsAfter(i: number, j: number, procs: string[], pred: Set<number>[]): string[] {
  const v: number[] = [];
  for (let k = i + 1; k < procs.length; k++) if (!pred[k]!.has(i)) v.push(k);
  const firstOf = new Map<string, number>();
  for (const k of v) if (!firstOf.has(procs[k]!)) firstOf.set(procs[k]!, k);
  const out: string[] = [];
  for (const [p, k] of firstOf) if (!v.some((m) => m < k && pred[k]!.has(m))) out.push(p);
  // proc(j) itself ends v (its next step after those of notdep)
  if (!firstOf.has(procs[j]!) && !v.some((m) => pred[j]!.has(m))) out.push(procs[j]!);
  return out;
}

/** Moves to the deepest state with a process left in its source set; false when none is left. */
function backtrack(stack: Node[]): boolean {
  while (stack.length > 0) {
    const node = stack[stack.length - 1]!;
    node.sleep.set(node.chosen, node.fp);
    const next = [...node.backtrack].find((p) => !node.sleep.has(p) && node.enabled.has(p));
    if (next !== undefined) {
      node.chosen = next;
      return true;
    }
    stack.pop();
  }
  return false;
}
