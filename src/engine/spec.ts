/**
 * The specification side of refinement: one statechart snapshot stepped through a reused,
 * never-started actor scope (the public transition() builds an actor per call, several times
 * slower).
 */
import { createActor, type ActorScope, type AnyStateMachine, type SnapshotFrom } from 'xstate';

export function createSpecScope(machine: AnyStateMachine, input: unknown): ActorScope<any, any, any, any> {
  const self = createActor(machine, { input } as any);
  const noop = () => {};
  return {
    self, id: '', sessionId: '', system: self.system,
    defer: noop, logger: noop, stopChild: noop, emit: noop, actionExecutor: noop,
  } as unknown as ActorScope<any, any, any, any>;
}

/** Scopes and initial snapshots per machine and input: building an actor per execution was a quarter of DFS time. */
const shared = new WeakMap<AnyStateMachine, Map<string, { scope: ActorScope<any, any, any, any>; initial: unknown }>>();

export class SpecRunner<M extends AnyStateMachine = AnyStateMachine> {
  private readonly scope: ActorScope<any, any, any, any>;
  snapshot: SnapshotFrom<M>;

  /**
   * @param o.shared reuse the scope and initial snapshot of earlier runners of the same machine and
   *   input (snapshots are immutable values, so runners never see each other's steps); not when
   *   an inspector will be attached to the scope (coverage)
   */
  constructor(readonly machine: M, input: unknown, o: { shared?: boolean } = {}) {
    if (!o.shared) {
      this.scope = createSpecScope(machine, input);
      this.snapshot = machine.getInitialSnapshot(this.scope, input) as SnapshotFrom<M>;
      return;
    }
    const byInput = shared.get(machine) ?? new Map();
    shared.set(machine, byInput);
    const key = JSON.stringify(input) ?? '';
    let s = byInput.get(key);
    if (!s) {
      const scope = createSpecScope(machine, input);
      s = { scope, initial: machine.getInitialSnapshot(scope, input) };
      byInput.set(key, s);
    }
    this.scope = s.scope;
    this.snapshot = s.initial as SnapshotFrom<M>;
  }

  /**
   * Step the spec; false when it refuses the event. XState hands back the very same snapshot both
   * when no transition is enabled and when the one taken changes nothing (a self-transition that
   * only checks a guard): only in that case is the question asked again, with can().
   */
  send(event: unknown): boolean {
    const next = this.machine.transition(this.snapshot, event as any, this.scope) as SnapshotFrom<M>;
    if (next === this.snapshot) return (this.snapshot as { can(e: unknown): boolean }).can(event);
    this.snapshot = next;
    return true;
  }
}

/** "state {pkmap: idle, local: nested}" plus the context, for reports. */
export function describeSnapshot(s: { value: unknown; context: unknown }): string {
  return `${JSON.stringify(s.value)} context ${JSON.stringify(s.context)}`;
}
