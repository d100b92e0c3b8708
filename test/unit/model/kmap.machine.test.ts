/**
 * The kmap statechart on its own: every state reachable with legal events (xstate/graph), the
 * forbidden transitions refused (refusal = the very same snapshot back, which is what the engine
 * reads as "spec refused"), and the engine's fast stepping path agreeing with public transition().
 */
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { kmapMachine, type KmapEvent } from '../../../model/kmap.machine.js';
import { createSpecScope, SpecRunner } from '../../../src/engine/spec.js';

type Snap = SnapshotFrom<typeof kmapMachine>;
const input = { pages: 2 };

/** A small but complete event alphabet: one task (plus a fork child), two pages, both flavours. */
const T = 1;
const events: KmapEvent[] = [
  { type: 'KMAP', task: T, page: 0, atomic: false },
  { type: 'KMAP', task: T, page: 1, atomic: false },
  { type: 'KMAP', task: T, page: 0, atomic: true },
  { type: 'KUNMAP', task: T, page: 0 },
  { type: 'KUNMAP', task: T, page: 1 },
  { type: 'KMAP_LOCAL', task: T, page: 0, cpu: 0, atomic: false, vaddr: 0x2000 },
  { type: 'KMAP_LOCAL', task: T, page: 1, cpu: 0, atomic: true, vaddr: 0x2001 },
  { type: 'KUNMAP_LOCAL', task: T, page: 0, atomic: false },
  { type: 'KUNMAP_LOCAL', task: T, page: 1, atomic: true },
  { type: 'IRQ_ENTER', task: T },
  { type: 'IRQ_EXIT', task: T },
  { type: 'FORK', parent: T, child: 2 },
  { type: 'RETURN_TO_USER', task: T },
  { type: 'EXIT', task: T },
];

/** Bound the context (users, stack depth, irq nesting) so the graph is finite and small. */
const big = (s: Snap) =>
  s.context.users.some((n) => n > 2) ||
  Object.values(s.context.stacks).some((st) => st.length > 2) ||
  Object.values(s.context.irqDepth).some((d) => d.length > 1);
const traversal = {
  input,
  events,
  filterEvents: (s: Snap, e: KmapEvent) => s.can(e),
  serializeState: (s: Snap) => JSON.stringify([s.value, s.context]),
  stopWhen: big,
};

/** Every combination of the leaf states of the parallel regions, read from the machine itself. */
function allStateValues(): string[] {
  const regions = kmapMachine.root.states;
  let combos: Record<string, string>[] = [{}];
  for (const [region, node] of Object.entries(regions)) {
    combos = combos.flatMap((c) => Object.keys(node.states).map((leaf) => ({ ...c, [region]: leaf })));
  }
  return combos.map((c) => JSON.stringify(c));
}

/** Steps a fresh snapshot through `evs` with a reused scope, as the engine does. */
function stepper() {
  const scope = createSpecScope(kmapMachine, input);
  let snap = kmapMachine.getInitialSnapshot(scope, input) as Snap;
  return {
    get snap() { return snap; },
    /** the next snapshot, which is `snap` itself when the spec refuses */
    try: (e: KmapEvent) => kmapMachine.transition(snap, e, scope) as Snap,
    accept(...evs: KmapEvent[]) {
      for (const e of evs) {
        const next = kmapMachine.transition(snap, e, scope) as Snap;
        if (next === snap) throw new Error(`setup event refused: ${JSON.stringify(e)}`);
        snap = next;
      }
      return this;
    },
  };
}

describe('reachability (xstate/graph)', () => {
  const paths = getShortestPaths(kmapMachine, traversal);

  test('every combination of region states is reachable with enabled events', () => {
    const reached = new Set(paths.map((p) => JSON.stringify(p.state.value)));
    const all = allStateValues();
    expect(all).toHaveLength(4); // pkmap {unused, inUse} x local {empty, nested}
    for (const v of all) expect(reached).toContain(v);
  });

  test('each path replays through the engine\'s spec runner to the state the graph reports', () => {
    for (const p of paths) {
      const r = new SpecRunner(kmapMachine, input);
      for (const step of p.steps.slice(1)) expect(r.send(step.event)).toBe(true);
      expect(r.snapshot.value).toEqual(p.state.value);
    }
  });

  test('every event type is enabled somewhere (no dead transitions)', () => {
    const adj = getAdjacencyMap(kmapMachine, traversal);
    const taken = new Set(Object.values(adj).flatMap((v) => Object.values(v.transitions).map((t) => (t as { event: KmapEvent }).event.type)));
    expect([...taken].sort()).toEqual([...new Set(events.map((e) => e.type))].sort());
  });
});

describe('forbidden transitions are refused', () => {
  const local = (page: number, atomic = false): KmapEvent => ({ type: 'KMAP_LOCAL', task: T, page, cpu: 0, atomic, vaddr: 0x2000 + page });
  const unlocal = (page: number, atomic = false): KmapEvent => ({ type: 'KUNMAP_LOCAL', task: T, page, atomic });

  // each case: the history, the refused event, and its legal counterpart (so that a machine
  // refusing everything fails the test too)
  const cases: { name: string; before: KmapEvent[]; refused: KmapEvent; legal: KmapEvent }[] = [
    { name: 'KUNMAP_LOCAL of a mapping that is not at the top (B-INV1)', before: [local(0), local(1)], refused: unlocal(0), legal: unlocal(1) },
    { name: 'KUNMAP_LOCAL with the wrong flavour (kunmap_atomic of a kmap_local)', before: [local(0)], refused: unlocal(0, true), legal: unlocal(0) },
    { name: 'KUNMAP_LOCAL on an empty stack', before: [], refused: unlocal(0), legal: local(0) },
    { name: 'IRQ_EXIT that leaves a mapping made in the irq (B-INV5)', before: [{ type: 'IRQ_ENTER', task: T }, local(0)], refused: { type: 'IRQ_EXIT', task: T }, legal: unlocal(0) },
    { name: 'IRQ_EXIT without IRQ_ENTER', before: [], refused: { type: 'IRQ_EXIT', task: T }, legal: { type: 'IRQ_ENTER', task: T } },
    { name: 'IRQ_EXIT that popped a mapping of the interrupted task', before: [local(0), { type: 'IRQ_ENTER', task: T }, unlocal(0)], refused: { type: 'IRQ_EXIT', task: T }, legal: local(0) },
    { name: 'RETURN_TO_USER with a local mapping held (B-INV2)', before: [local(0)], refused: { type: 'RETURN_TO_USER', task: T }, legal: unlocal(0) },
    { name: 'FORK with a local mapping held', before: [local(0)], refused: { type: 'FORK', parent: T, child: 2 }, legal: unlocal(0) },
    { name: 'EXIT with a local mapping held', before: [local(1, true)], refused: { type: 'EXIT', task: T }, legal: unlocal(1, true) },
    { name: 'KUNMAP of a page nobody kmapped', before: [], refused: { type: 'KUNMAP', task: T, page: 0 }, legal: { type: 'KMAP', task: T, page: 0, atomic: false } },
    { name: 'KUNMAP of another page than the one kmapped', before: [{ type: 'KMAP', task: T, page: 0, atomic: false }], refused: { type: 'KUNMAP', task: T, page: 1 }, legal: { type: 'KUNMAP', task: T, page: 0 } },
    { name: 'KMAP from atomic context (B-INV7)', before: [], refused: { type: 'KMAP', task: T, page: 0, atomic: true }, legal: { type: 'KMAP', task: T, page: 0, atomic: false } },
  ];

  test.each(cases)('$name', ({ before, refused, legal }) => {
    const s = stepper().accept(...before);
    expect(s.try(refused)).toBe(s.snap);
    expect(s.snap.can(refused)).toBe(false);
    expect(s.try(legal)).not.toBe(s.snap);
  });

  test('the last KUNMAP takes pkmap back to unused, the last KUNMAP_LOCAL the stack to empty', () => {
    const s = stepper().accept({ type: 'KMAP', task: T, page: 0, atomic: false }, local(1));
    expect(s.snap.value).toEqual({ pkmap: 'inUse', local: 'nested' });
    s.accept({ type: 'KUNMAP', task: T, page: 0 }, unlocal(1));
    expect(s.snap.value).toEqual({ pkmap: 'unused', local: 'empty' });
  });
});

describe('fast path vs public transition()', () => {
  test('the reused-scope SpecRunner and xstate\'s transition() agree on every event sequence', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...events), { maxLength: 40 }), (seq) => {
      const fast = new SpecRunner(kmapMachine, input);
      let [pub] = initialTransition(kmapMachine, input);
      for (const e of seq) {
        const accepted = fast.send(e);
        const [next] = transition(kmapMachine, pub, e);
        expect(accepted).toBe(next !== pub);
        pub = next;
        expect(fast.snapshot.value).toEqual(pub.value);
        expect(fast.snapshot.context).toEqual(pub.context);
      }
    }), { numRuns: 300 });
  });
});
