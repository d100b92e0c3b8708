/**
 * The PASID statechart on its own: every state of every region reachable with legal events
 * (xstate/graph), the transitions the invariants forbid refused (refusal = the very same
 * snapshot back, which the engine reads as "spec refused"), and the engine's stepping path
 * agreeing with the public transition().
 */
import { describe, expect, test } from 'vitest';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { NO_PASID, pasidMachine, type PasidEvent } from '../../model/pasid.machine.js';
import { SpecRunner } from '../../src/engine/spec.js';

type Snap = SnapshotFrom<typeof pasidMachine>;

/** A small complete alphabet: two mms, one PASID each way, one device, one thread plus a child. */
const events: PasidEvent[] = [
  { type: 'ALLOC', mm: 0, pasid: 1 },
  { type: 'ALLOC', mm: 1, pasid: 1 },
  { type: 'FREE', mm: 0, pasid: 1 },
  { type: 'BIND', dev: 0, mm: 0, pasid: 1 },
  { type: 'UNBIND', dev: 0, mm: 0, pasid: 1 },
  { type: 'ACTIVATE', task: 5, mm: 0, pasid: 1 },
  { type: 'SUBMIT', task: 5, mm: 0, pasid: 1 },
  { type: 'FORK', parent: 5, child: 6, mm: 1, activated: false },
  { type: 'EXIT', task: 5 },
  { type: 'MM_FREE', mm: 0 },
];

const bounded = (s: Snap) => Object.values(s.context.bindings).some((n) => n > 1);

function leafStates(): string[] {
  return Object.entries(pasidMachine.root.states).flatMap(([region, node]) => Object.keys(node.states).map((leaf) => `${region}.${leaf}`));
}

describe('pasid statechart reachability', () => {
  const paths = getShortestPaths(pasidMachine, {
    events,
    filterEvents: (s: Snap, e: PasidEvent) => s.can(e),
    serializeState: (s: Snap) => JSON.stringify([s.value, s.context]),
    stopWhen: bounded,
  });
  const reached = new Set<string>();
  for (const p of paths) for (const [region, leaf] of Object.entries(p.state.value as Record<string, string>)) reached.add(`${region}.${leaf}`);

  test.each(leafStates())('%s is reachable', (state) => {
    expect(reached.has(state)).toBe(true);
  });
});

/** Steps from the initial snapshot through `evs`; the last result says whether it was accepted. */
function run(evs: PasidEvent[]): { accepted: boolean[]; snap: Snap } {
  const spec = new SpecRunner(pasidMachine, undefined);
  const accepted = evs.map((e) => spec.send(e));
  return { accepted, snap: spec.snapshot as Snap };
}

const alloc: PasidEvent = { type: 'ALLOC', mm: 0, pasid: 1 };
const bind: PasidEvent = { type: 'BIND', dev: 0, mm: 0, pasid: 1 };

describe('forbidden transitions are refused', () => {
  test.each<[string, PasidEvent[]]>([
    ['C-INV7: a second PASID for an mm that has one', [alloc, { type: 'ALLOC', mm: 0, pasid: 2 }]],
    ['C-INV7: a PASID another mm owns', [alloc, { type: 'ALLOC', mm: 1, pasid: 1 }]],
    ['C-INV7: a bind with a PASID that is not the mm\'s', [alloc, { type: 'BIND', dev: 0, mm: 0, pasid: 2 }]],
    ['C-INV2: an unbind of what was never bound (mm->pasid already dropped)', [alloc, bind, { type: 'FREE', mm: 0, pasid: 1 }, { type: 'UNBIND', dev: 0, mm: 0, pasid: NO_PASID }]],
    ['C-INV2: freeing an mm a device still uses', [alloc, bind, { type: 'MM_FREE', mm: 0 }]],
    ['C-INV3: a second activation', [alloc, { type: 'ACTIVATE', task: 5, mm: 0, pasid: 1 }, { type: 'ACTIVATE', task: 5, mm: 0, pasid: 1 }]],
    ['C-INV3: activation without a valid PASID', [{ type: 'ACTIVATE', task: 5, mm: 0, pasid: NO_PASID }]],
    ['C-INV1: a submission with another mm\'s PASID', [alloc, bind, { type: 'SUBMIT', task: 7, mm: 1, pasid: 1 }]],
    ['C-INV1: a submission with an unbound PASID', [alloc, { type: 'SUBMIT', task: 5, mm: 0, pasid: 1 }]],
    ['C-INV5: a fork child that starts activated', [{ type: 'FORK', parent: 5, child: 6, mm: 1, activated: true }]],
  ])('%s', (_, evs) => {
    const { accepted } = run(evs);
    expect(accepted.slice(0, -1).every(Boolean)).toBe(true);
    expect(accepted.at(-1)).toBe(false);
  });

  test('the legal life of a PASID is accepted', () => {
    const { accepted, snap } = run([alloc, bind, { type: 'ACTIVATE', task: 5, mm: 0, pasid: 1 }, { type: 'SUBMIT', task: 5, mm: 0, pasid: 1 },
      { type: 'UNBIND', dev: 0, mm: 0, pasid: 1 }, { type: 'EXIT', task: 5 }, { type: 'MM_FREE', mm: 0 }, { type: 'FREE', mm: 0, pasid: 1 }]);
    expect(accepted.every(Boolean)).toBe(true);
    expect(snap.value).toEqual({ allocator: 'freed', threads: 'activated', devices: 'unbound' });
  });
});

test('the engine\'s stepping agrees with the public transition()', () => {
  const evs: PasidEvent[] = [alloc, bind, { type: 'SUBMIT', task: 5, mm: 0, pasid: 1 }, { type: 'UNBIND', dev: 0, mm: 0, pasid: 1 }];
  let [pub] = initialTransition(pasidMachine);
  const spec = new SpecRunner(pasidMachine, undefined);
  for (const e of evs) {
    [pub] = transition(pasidMachine, pub, e);
    spec.send(e);
    expect(spec.snapshot.value).toEqual(pub.value);
    expect(spec.snapshot.context).toEqual(pub.context);
  }
});
