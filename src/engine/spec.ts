/**
 * The specification side of refinement: one statechart snapshot stepped through a reused,
 * never-started actor scope (the public transition() builds an actor per call, several times
 * slower). A refused event leaves the very same snapshot object behind.
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

export class SpecRunner<M extends AnyStateMachine = AnyStateMachine> {
  private readonly scope: ActorScope<any, any, any, any>;
  snapshot: SnapshotFrom<M>;

  constructor(readonly machine: M, input: unknown) {
    this.scope = createSpecScope(machine, input);
    this.snapshot = machine.getInitialSnapshot(this.scope, input) as SnapshotFrom<M>;
  }

  /** Step the spec; false when it refuses the event (the snapshot stays as it was). */
  send(event: unknown): boolean {
    const next = this.machine.transition(this.snapshot, event as any, this.scope) as SnapshotFrom<M>;
    if (next === this.snapshot) return false;
    this.snapshot = next;
    return true;
  }
}

/** "state {pkmap: idle, local: nested}" plus the context, for reports. */
export function describeSnapshot(s: { value: unknown; context: unknown }): string {
  return `${JSON.stringify(s.value)} context ${JSON.stringify(s.context)}`;
}
