/**
 * The memregion statechart on its own: every state of every region reachable with legal events
 * (xstate/graph), the transitions E-INV4 and E-INV6 forbid refused, and the engine's stepping
 * agreeing with the public transition().
 */
import { describe, expect, test } from 'vitest';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { memregionMachine, type MemregionEvent } from '../../model/memregion.machine.js';
import { SpecRunner } from '../../src/engine/spec.js';

type Snap = SnapshotFrom<typeof memregionMachine>;

const activate: MemregionEvent = { type: 'ACTIVATE', region: 'region0', devs: ['nmem0', 'nmem1'] };
const deactivate: MemregionEvent = { type: 'DEACTIVATE', region: 'region0' };
const overwrite: MemregionEvent = { type: 'MEDIA', dev: 'nmem0', what: 'overwrite' };
const done: MemregionEvent = { type: 'MEDIA_DONE', dev: 'nmem0' };
const events: MemregionEvent[] = [activate, deactivate, overwrite, done, { type: 'MEDIA', dev: 'nmem1', what: 'erase' },
  { type: 'LINK', module: 'cxl_core', symbol: 'cpu_cache_invalidate_memregion' }];

function leafStates(): string[] {
  return Object.entries(memregionMachine.root.states).flatMap(([region, node]) => Object.keys(node.states).map((leaf) => `${region}.${leaf}`));
}

test('every state of every region is reachable', () => {
  const paths = getShortestPaths(memregionMachine, {
    input: { active: {} },
    events,
    filterEvents: (s: Snap, e: MemregionEvent) => s.can(e),
    serializeState: (s: Snap) => JSON.stringify([s.value, s.context]),
    stopWhen: (s: Snap) => s.context.linked.length > 1,
  });
  const reached = new Set<string>();
  for (const p of paths) for (const [region, leaf] of Object.entries(p.state.value as Record<string, string>)) reached.add(`${region}.${leaf}`);
  expect([...reached].sort()).toEqual(leafStates().sort());
});

/** Steps from a boot state through `evs`; whether each was accepted. */
function run(evs: MemregionEvent[], active: Record<string, string[]> = {}): boolean[] {
  const spec = new SpecRunner(memregionMachine, { active });
  return evs.map((e) => spec.send(e));
}

describe('forbidden transitions are refused', () => {
  test.each<[string, MemregionEvent[]]>([
    ['E-INV4: a module outside the DEVMEM importers links', [{ type: 'LINK', module: 'foreign', symbol: 'cpu_cache_invalidate_memregion' }]],
    ['E-INV6: a region activates while an overwrite of its DIMM runs', [overwrite, activate]],
    ['E-INV6: the media changes under an active region', [activate, { type: 'MEDIA', dev: 'nmem1', what: 'erase' }]],
    ['E-INV6: the decode changes under an active region', [{ type: 'ACTIVATE', region: 'region1', devs: ['mem0'] }, { type: 'MEDIA', dev: 'mem0', what: 'decode' }]],
    ['an overwrite completes that never started', [done]],
    ['a second overwrite of a DIMM while one runs', [overwrite, overwrite]],
    ['a region that is not active is deactivated', [deactivate]],
    ['a region activates twice', [activate, activate]],
  ])('%s', (_, evs) => {
    const accepted = run(evs);
    expect(accepted.slice(0, -1).every(Boolean)).toBe(true);
    expect(accepted.at(-1)).toBe(false);
  });

  test('the legal life of a region is accepted: disable, overwrite, completion, enable, DEVMEM link', () => {
    expect(run([deactivate, overwrite, done, activate, { type: 'LINK', module: 'nfit', symbol: 'cpu_cache_has_invalidate_memregion' }],
      { region0: ['nmem0', 'nmem1'] }).every(Boolean)).toBe(true);
  });
});

test("the engine's stepping agrees with the public transition()", () => {
  const input = { active: { region0: ['nmem0', 'nmem1'] } };
  let [pub] = initialTransition(memregionMachine, input);
  const spec = new SpecRunner(memregionMachine, input);
  for (const e of [deactivate, overwrite, done, activate]) {
    [pub] = transition(memregionMachine, pub, e);
    spec.send(e);
    expect(spec.snapshot.value).toEqual(pub.value);
    expect(spec.snapshot.context).toEqual(pub.context);
  }
});
