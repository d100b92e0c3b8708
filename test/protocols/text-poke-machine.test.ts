/**
 * The text-poke statechart on its own: every state of every region reachable with legal events,
 * returns without a begin refused, a completed poke updating what kernel text must hold, and the
 * engine's stepping path agreeing with the public transition().
 */
import { describe, expect, test } from 'vitest';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { textPokeMachine, type TextPokeEvent } from '../../model/text-poke.machine.js';
import { SpecRunner } from '../../src/engine/spec.js';

type Snap = SnapshotFrom<typeof textPokeMachine>;
const input = { text: { 100: 100, 101: 101 } };

const events: TextPokeEvent[] = [
  { type: 'POKE_BEGIN', task: 1, pfns: [100], value: 7 },
  { type: 'POKE_BEGIN', task: 2, pfns: [101], value: 8 },
  { type: 'POKE_END', task: 1 },
  { type: 'POKE_END', task: 2 },
  { type: 'UNMAP_BEGIN', task: 3, mm: 2, va: 0x4000 },
  { type: 'UNMAP_END', task: 3 },
];

describe('text-poke statechart reachability', () => {
  const paths = getShortestPaths(textPokeMachine, {
    input, events,
    filterEvents: (s: Snap, e: TextPokeEvent) => s.can(e),
    serializeState: (s: Snap) => JSON.stringify([s.value, s.context]),
  });
  const reached = new Set<string>();
  for (const p of paths) for (const [region, leaf] of Object.entries(p.state.value as Record<string, string>)) reached.add(`${region}.${leaf}`);
  const leaves = Object.entries(textPokeMachine.root.states).flatMap(([region, node]) => Object.keys(node.states).map((leaf) => `${region}.${leaf}`));
  test.each(leaves)('%s is reachable', (state) => expect(reached.has(state)).toBe(true));
});

function run(evs: TextPokeEvent[]) {
  const spec = new SpecRunner(textPokeMachine, input);
  return { accepted: evs.map((e) => spec.send(e)), snap: spec.snapshot as Snap };
}

test.each<[string, TextPokeEvent[]]>([
  ['a poke that returns without having begun', [{ type: 'POKE_END', task: 1 }]],
  ['a second poke by the same task before the first returns', [events[0]!, events[0]!]],
  ['an unmapping that ends without having begun', [{ type: 'UNMAP_END', task: 3 }]],
])('refused: %s', (_, evs) => {
  const { accepted } = run(evs);
  expect(accepted.slice(0, -1).every(Boolean)).toBe(true);
  expect(accepted.at(-1)).toBe(false);
});

test('a completed poke is what kernel text must hold; an open one may or may not have landed', () => {
  const { accepted, snap } = run([events[0]!, events[1]!, events[2]!]);
  expect(accepted.every(Boolean)).toBe(true);
  expect(snap.context.text).toEqual({ 100: 7, 101: 101 });
  expect(snap.context.pokes).toEqual({ 2: { pfns: [101], value: 8 } });
  expect(snap.value).toEqual({ pokes: 'poking', unmaps: 'none' });
});

test("the engine's stepping agrees with the public transition()", () => {
  let [pub] = initialTransition(textPokeMachine, input);
  const spec = new SpecRunner(textPokeMachine, input);
  for (const e of events) {
    [pub] = transition(textPokeMachine, pub, e);
    spec.send(e);
    expect(spec.snapshot.value).toEqual(pub.value);
    expect(spec.snapshot.context).toEqual(pub.context);
  }
});
