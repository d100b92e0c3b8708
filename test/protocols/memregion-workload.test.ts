/**
 * The memregion workload side: swarm kinds and fixed parameters honoured, the proof enumeration
 * (every workload once, smallest first), the minimizer's smaller workloads, and environment
 * actions enabled only where they change something.
 */
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { findProtocol, findVariant } from '../../src/protocols.js';
import { createWorld } from '../../src/sim/world.js';
import { memregionEnvironment } from '../../properties/memregion-environment.js';
import { shrinkMemregionWorkload } from '../../properties/memregion-shrink.js';
import type { MemregionWorkload } from '../../properties/memregion-workload.js';
import type { MemregionState } from '../../src/kernel/mm/memregion-types.js';

const p = findProtocol('memregion');
const mainline = findVariant(p, 'mainline');
const sample = (o: object, n = 300) => fc.sample(p.workload({ cpus: 2, ops: 6, variant: mainline, ...o }), { seed: 3, numRuns: n }) as MemregionWorkload[];
const opsOf = (ws: MemregionWorkload[]) => ws.flatMap((w) => w.tasks.flatMap((t) => t.ops));

test('operations are the activities the workloads are made of, and o.kinds restricts them', () => {
  const all = new Set(opsOf(sample({})).map((op) => op[0]));
  expect([...all].sort()).toEqual(['attach', 'bind', 'commit', 'decommit', 'disable', 'enable', 'erase', 'load', 'modprobe', 'overwrite', 'store', 'unbind']);
  // unlocking by a driver rebind is a user action only where the key comes late
  const late = opsOf(fc.sample(p.workload({ cpus: 2, ops: 6, variant: findVariant(p, 'mainline-late-unlock') }), { seed: 3, numRuns: 300 }) as MemregionWorkload[]);
  expect(late.some((op) => op[0] === 'unlock')).toBe(true);
  const some = opsOf(sample({ kinds: new Set(['access', 'remap']) }));
  expect(new Set(some.map((op) => op[0]))).toEqual(new Set(['store', 'load', 'decommit', 'attach', 'commit', 'bind']));
  // a configuration that has none of the kinds drawn gets idle tasks
  const none = fc.sample(p.workload({ cpus: 2, ops: 6, variant: findVariant(p, 'v5'), kinds: new Set(['remap']) }), { seed: 3, numRuns: 20 }) as MemregionWorkload[];
  expect(opsOf(none)).toEqual([]);
});

test('a configuration without a CXL region or foreign modules gets no such operation', () => {
  const v5 = fc.sample(p.workload({ cpus: 2, ops: 6, variant: findVariant(p, 'v3') }), { seed: 3, numRuns: 300 }) as MemregionWorkload[];
  const kinds = new Set(opsOf(v5).map((op) => op[0]));
  for (const k of ['attach', 'commit', 'decommit', 'bind', 'unbind', 'modprobe']) expect(kinds.has(k)).toBe(false);
  expect(kinds.size).toBeGreaterThan(4);
  expect(opsOf(v5).some((op) => op[1] === 'X0')).toBe(false);
  expect(v5.every((w) => !w.cxlUp)).toBe(true);
});

test('parameters the user fixes are honoured, the others vary', () => {
  const fixed = sample({ params: { locked: 1, polls: 2, tasks: 1, ram: 1 } });
  expect(fixed.every((w) => w.locked && w.polls === 2 && w.tasks.length === 1 && w.ram)).toBe(true);
  const free = sample({});
  expect(new Set(free.map((w) => w.locked)).size).toBe(2);
  expect(new Set(free.map((w) => w.cxlUp)).size).toBe(2);
  expect(new Set(free.map((w) => w.polls)).size).toBe(2);
  for (const par of p.parameters!) expect(par.min).toBeLessThanOrEqual(par.max);
});

describe('enumerate', () => {
  const all = [...p.enumerate!({ cpus: 2, ops: 2, variant: mainline })] as MemregionWorkload[];
  const ops = 15; // the mainline alphabet
  const seqs = ops + ops * ops;

  test('every workload within the bounds, each once', () => {
    expect(all.length).toBe(seqs + seqs * seqs);
    expect(new Set(all.map((w) => JSON.stringify(w))).size).toBe(all.length);
  });

  test('smallest first: one task before two, one operation before two', () => {
    const size = (w: MemregionWorkload) => w.tasks.length * 10 + Math.max(...w.tasks.map((t) => t.ops.length));
    expect(size(all[0]!)).toBe(11);
    expect(all.findIndex((w) => w.tasks.length === 2)).toBe(seqs);
    expect(all.slice(0, seqs).every((w, i) => w.tasks[0]!.ops.length === (i < ops ? 1 : 2))).toBe(true);
  });

  test('fixed parameters shape the boot state', () => {
    const [w] = p.enumerate!({ cpus: 1, ops: 1, variant: mainline, params: { locked: 1, cxlUp: 0, polls: 2 } }) as Iterable<MemregionWorkload>;
    expect(w).toMatchObject({ locked: true, cxlUp: false, polls: 2 });
  });
});

test('the minimizer offers smaller workloads: one operation fewer, or a default boot parameter', () => {
  const w: MemregionWorkload = { locked: true, cxlUp: true, ram: false, polls: 2, tasks: [{ cpu: 0, ops: [['enable'], ['load', 'Y0']] }, { cpu: 1, ops: [['store', 'X0']] }] };
  const smaller = [...shrinkMemregionWorkload(w)];
  expect(smaller).toHaveLength(5);
  expect(smaller.map((s) => s.tasks.flatMap((t) => t.ops).length)).toEqual([2, 2, 2, 3, 3]);
  expect(smaller.at(-2)!.locked).toBe(false);
  expect(smaller.at(-1)!.polls).toBe(1);
});

describe('environment actions', () => {
  const world = (cxlUp: boolean) => createWorld(2, p.setup({ locked: false, cxlUp, ram: false, polls: 1, tasks: [] }, mainline, { cpus: 2 }).k as MemregionState);

  test('a fill for every decoded address a CPU does not hold; none for an undecoded one', () => {
    expect(memregionEnvironment(world(true)).filter((a) => a.fn === 'speculative fill')).toHaveLength(6);
    expect(memregionEnvironment(world(false)).filter((a) => a.fn === 'speculative fill')).toHaveLength(4);
  });

  test('a write-back only for a dirty line; a clean held line offers nothing', () => {
    const w = world(true);
    w.k.hw.caches[0]!.Y0 = { dev: 'nmem0', epoch: 0, dirty: true };
    w.k.hw.caches[1]!.Y1 = { dev: 'nmem1', epoch: 0, dirty: false };
    const acts = memregionEnvironment(w);
    expect(acts.filter((a) => a.fn === 'write-back').map((a) => a.what)).toEqual(['cpu0 writes back Y0 (nmem0@0) to nmem0']);
    expect(acts.filter((a) => a.fn === 'speculative fill')).toHaveLength(4);
  });
});
