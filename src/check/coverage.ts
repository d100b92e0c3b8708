/**
 * Statechart coverage, measured: the state nodes entered, the transitions taken and the pairs
 * of consecutive transitions within a run, from XState's `@xstate.microstep` inspection events
 * on each engine's reused spec scope (they name the TransitionDefinition objects taken, eventless
 * and root-level ones included). Optionally the abstract spec states (value + context) reached,
 * to compare what sampled runs hit with what DFS reaches.
 */
import type { ActorScope, AnyStateMachine } from 'xstate';
import type { SpecRunner } from '../engine/spec.js';

export interface CoverageCount { covered: number; total: number; missed: string[] }

export interface ReachableCoverage {
  /** abstract spec states DFS reached on the first generated workload */
  dfsStates: number;
  /** whether that DFS explored every interleaving within the bound */
  complete: boolean;
  /** runs of the check's strategy on that workload */
  runs: number;
  /** DFS-reachable abstract states those runs hit */
  hit: number;
}

export interface CoverageReport {
  states: CoverageCount;
  transitions: CoverageCount;
  /** ordered pairs of consecutive transitions in one run, out of T² (not all are feasible) */
  pairs: { covered: number; total: number };
  /** random/pct: the fraction of DFS-reachable abstract states their runs hit */
  reachable?: ReachableCoverage;
  /** what was covered, by index into the machine's transitions, so that reports of blocks and shards can be merged */
  taken: { transitions: number[]; pairs: number[] };
}

interface StateNodeLike { id: string; states: Record<string, StateNodeLike>; transitions: Map<string, TransitionLike[]>; always?: TransitionLike[] }
interface TransitionLike { source: StateNodeLike; eventType: string; target?: StateNodeLike[]; guard?: unknown }
interface MicrostepEvent { type: string; _transitions?: TransitionLike[]; snapshot?: { _nodes?: StateNodeLike[]; value: unknown; context: unknown } }

const walk = (n: StateNodeLike): StateNodeLike[] => [n, ...Object.values(n.states).flatMap(walk)];

function describeTransition(t: TransitionLike): string {
  const guard = typeof t.guard === 'string' ? t.guard : (t.guard as { type?: string } | undefined)?.type;
  const to = t.target?.length ? ` → ${t.target.map((s) => s.id).join(',')}` : '';
  return `${t.source.id}: ${t.eventType || '(always)'}${guard ? ` [${guard}]` : ''}${to}`;
}

export class CoverageRecorder {
  private readonly stateIds: string[];
  private readonly transitions: TransitionLike[];
  private readonly index = new Map<TransitionLike, number>();
  private readonly states = new Set<string>();
  private readonly taken = new Set<number>();
  private readonly pairs = new Set<number>();
  /** abstract spec states reached, when asked for */
  readonly abstract: Set<string> | null;

  constructor(machine: AnyStateMachine, o: { abstract?: boolean } = {}) {
    const nodes = walk(machine.root as unknown as StateNodeLike);
    this.stateIds = nodes.map((n) => n.id);
    this.transitions = nodes.flatMap((n) => [...n.transitions.values()].flat().concat(n.always ?? []));
    this.transitions.forEach((t, i) => this.index.set(t, i));
    this.abstract = o.abstract ? new Set() : null;
  }

  /** Starts recording one run's spec. */
  attach(spec: SpecRunner): void {
    let prev = -1;
    const enter = (s: { _nodes?: StateNodeLike[]; value: unknown; context: unknown }) => {
      for (const n of s._nodes ?? []) this.states.add(n.id);
      this.abstract?.add(`${JSON.stringify(s.value)}${JSON.stringify(s.context)}`);
    };
    enter(spec.snapshot as never);
    // SpecRunner keeps its scope private; its actor system is where inspection observers live
    const scope = (spec as unknown as { scope: ActorScope<any, any, any, any> }).scope;
    scope.system.inspect((e: unknown) => {
      const ev = e as MicrostepEvent;
      if (ev.type !== '@xstate.microstep') return;
      for (const t of ev._transitions ?? []) {
        const i = this.index.get(t);
        if (i === undefined) continue;
        this.taken.add(i);
        if (prev >= 0) this.pairs.add(prev * this.transitions.length + i);
        prev = i;
      }
      if (ev.snapshot) enter(ev.snapshot);
    });
  }

  report(): CoverageReport {
    const T = this.transitions.length;
    return {
      states: { covered: this.states.size, total: this.stateIds.length, missed: this.stateIds.filter((s) => !this.states.has(s)) },
      transitions: { covered: this.taken.size, total: T, missed: this.transitions.filter((_, i) => !this.taken.has(i)).map(describeTransition) },
      pairs: { covered: this.pairs.size, total: T * T },
      taken: { transitions: [...this.taken].sort((a, b) => a - b), pairs: [...this.pairs].sort((a, b) => a - b) },
    };
  }
}

/**
 * The coverage of several blocks of one check (workers, shards) as one report: a state or
 * transition counts when any block covered it. The DFS reachability share is the first block's
 * (it is measured on one workload).
 */
export function mergeCoverage(reports: CoverageReport[]): CoverageReport {
  const first = reports[0]!;
  const union = (f: (r: CoverageReport) => number[]) => [...new Set(reports.flatMap(f))].sort((a, b) => a - b);
  const missedBy = (f: (r: CoverageReport) => string[]) => f(first).filter((m) => reports.every((r) => f(r).includes(m)));
  const transitions = union((r) => r.taken.transitions);
  const pairs = union((r) => r.taken.pairs);
  const statesMissed = missedBy((r) => r.states.missed);
  const transitionsMissed = missedBy((r) => r.transitions.missed);
  return {
    states: { covered: first.states.total - statesMissed.length, total: first.states.total, missed: statesMissed },
    transitions: { covered: transitions.length, total: first.transitions.total, missed: transitionsMissed },
    pairs: { covered: pairs.length, total: first.pairs.total },
    ...(first.reachable ? { reachable: first.reachable } : {}),
    taken: { transitions, pairs },
  };
}
