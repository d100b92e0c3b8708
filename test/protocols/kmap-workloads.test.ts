/**
 * kmap workloads: parameters fixed by the user are honoured and the others vary, swarm kinds
 * restrict what a run may contain, correct variants get a deadlock-free pool, workloads still
 * shrink, and enumerate() lists every small workload once, smallest first.
 */
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { execute } from '../../src/engine/engine.js';
import { RandomStrategy } from '../../src/explore/random.js';
import type { KmapOp } from '../../src/kernel/mm/kmap-callers.js';
import { kmapProtocol } from '../../properties/kmap.js';
import { deadlockFreePool, isClose, isOpen, matchingClose } from '../../properties/kmap-programs.js';
import { kmapVariants } from '../../properties/kmap-variants.js';
import type { KmapWorkload } from '../../properties/kmap-workload.js';

const variant = (name: string) => kmapVariants.find((v) => v.name === name)!;
const sample = (o: { variant?: string; params?: Record<string, number>; kinds?: string[] }, n = 300): KmapWorkload[] =>
  fc.sample(kmapProtocol.workload({
    cpus: 2, ops: 6, variant: variant(o.variant ?? 'mainline'),
    ...(o.params ? { params: o.params } : {}), ...(o.kinds ? { kinds: new Set(o.kinds) } : {}),
  }), { seed: 7, numRuns: n }) as KmapWorkload[];

/** Most sections of a kind ('kmap', or local and atomic together) open at once in a program. */
function nesting(ops: readonly KmapOp[], kmap: boolean): number {
  let open = 0;
  let most = 0;
  for (const op of ops) {
    if (isOpen(op) && (op[0] === 'kmap') === kmap) most = Math.max(most, ++open);
    if (isClose(op) && (op[0] === 'kunmap') === kmap) open--;
  }
  return most;
}
const programs = (wl: KmapWorkload) => [...wl.tasks.map((t) => t.ops), ...wl.irqs.map((q) => q.ops)];

describe('parameters', () => {
  test('declared with ranges', () => {
    expect(kmapProtocol.parameters!.map((p) => p.name)).toEqual(['PKMAP_ORDER', 'kmaps', 'local-depth', 'irqs']);
    for (const p of kmapProtocol.parameters!) expect(p.min).toBeLessThanOrEqual(p.max);
  });

  test('unfixed, each varies over its range', () => {
    const wls = sample({});
    expect(new Set(wls.map((w) => w.pkmap))).toEqual(new Set([1, 2, 4]));
    expect(Math.max(...wls.flatMap((w) => w.tasks.map((t) => nesting(t.ops, true))))).toBe(3);
    // local nesting past the generator's 3: a run up to the documented stack (15 mappings without
    // DEBUG_KMAP_LOCAL), less 3 per interrupt handler that may nest on top
    const locals = wls.flatMap((w) => w.tasks.map((t) => ({ n: nesting(t.ops, false), irqs: w.irqs.length })));
    expect(Math.max(...locals.map((l) => l.n))).toBe(15);
    for (const l of locals) expect(l.n).toBeLessThanOrEqual(Math.max(3, 15 - 3 * l.irqs));
    const debug = sample({ variant: 'mainline-debug' }).flatMap((w) => w.tasks.map((t) => nesting(t.ops, false)));
    expect(Math.max(...debug)).toBe(16);
    expect(new Set(wls.map((w) => w.irqs.length))).toEqual(new Set([0, 1, 2, 3]));
  });

  test('fixed, each is honoured', () => {
    const wls = sample({ params: { PKMAP_ORDER: 0, kmaps: 2, 'local-depth': 1, irqs: 0 } });
    for (const w of wls) {
      expect(w.pkmap).toBe(1);
      expect(w.irqs).toEqual([]);
      for (const t of w.tasks) {
        expect(nesting(t.ops, true)).toBeLessThanOrEqual(2);
        expect(nesting(t.ops, false)).toBeLessThanOrEqual(1);
      }
    }
    expect(wls.some((w) => w.tasks.some((t) => nesting(t.ops, true) === 2))).toBe(true);
  });

  test('correct variants get a pool no interleaving can exhaust for good; small pools still occur', () => {
    const wls = sample({});
    for (const w of wls) expect(w.pkmap).toBeGreaterThanOrEqual(deadlockFreePool(w, variant('mainline').config.kernel));
    expect(wls.filter((w) => w.pkmap < w.tasks.filter((t) => t.ops.some((op) => op[0] === 'kmap')).length).length).toBeGreaterThan(0);
  });

  test('the deadlock variant nests kmap()s beyond its pool', () => {
    const wls = sample({ variant: 'nested-kmap-deadlock' });
    expect(wls.some((w) => w.pkmap < deadlockFreePool(w, variant('nested-kmap-deadlock').config.kernel))).toBe(true);
  });
});

describe('swarm operation kinds', () => {
  const kindOf = (op: KmapOp): string => {
    switch (op[0]) {
      case 'kunmap': return 'kmap';
      case 'unlocal': return 'local';
      case 'unatomic': return 'atomic';
      case 'read': case 'write': return 'access';
      default: return op[0];
    }
  };

  test('every kind the generator can emit is declared', () => {
    const used = new Set(sample({}).flatMap((w) => programs(w).flat().map(kindOf)));
    for (const k of used) expect(kmapProtocol.operations).toContain(k);
  });

  test.each([['kmap', 'access'], ['local', 'flush', 'hardirq'], ['copy', 'softirq'], ['fork', 'user', 'atomic']])('only %s (and the rest of the drawn kinds) appear', (...kinds) => {
    const wls = sample({ kinds });
    const used = new Set(wls.flatMap((w) => [...programs(w).flat().map(kindOf), ...w.irqs.map((q) => q.kind)]));
    for (const k of used) expect(kinds).toContain(k);
    expect(used.size).toBeGreaterThan(0);
  });

  test('a drawn subset still shrinks: a failure on any kmap() shrinks to one short task with one kmap section', () => {
    const arb = kmapProtocol.workload({ cpus: 2, ops: 6, variant: variant('mainline'), kinds: new Set(['kmap', 'access', 'local']) });
    const r = fc.check(fc.property(arb, (w: KmapWorkload) => !w.tasks.some((t) => t.ops.some((op) => op[0] === 'kmap'))), { seed: 3 });
    expect(r.failed).toBe(true);
    const [w] = r.counterexample as [KmapWorkload];
    expect(w.tasks).toHaveLength(1);
    expect(w.irqs).toEqual([]);
    const ops = w.tasks[0]!.ops;
    // a local section around it may stay: fast-check's shrinking does not switch oneof alternatives
    expect(ops.length).toBeLessThanOrEqual(5);
    expect(ops.filter((op) => op[0] === 'kmap')).toEqual([['kmap', 0]]);
    expect(ops.filter((op) => op[0] === 'kunmap')).toEqual([['kunmap', 0]]);
  });
});

describe('enumerate (the alphabet of kcheck prove)', () => {
  const all = (o: { cpus: number; ops: number; variant?: string; params?: Record<string, number> }) =>
    [...kmapProtocol.enumerate!({ cpus: o.cpus, ops: o.ops, variant: variant(o.variant ?? 'mainline'), ...(o.params ? { params: o.params } : {}) })] as KmapWorkload[];
  const size = (w: KmapWorkload) => programs(w).reduce((n, p) => n + p.length, 0);

  test('each workload once, smallest first, every program well nested within the bounds', () => {
    const list = all({ cpus: 2, ops: 2 });
    expect(new Set(list.map((w) => JSON.stringify(w))).size).toBe(list.length);
    for (let i = 1; i < list.length; i++) expect(size(list[i]!)).toBeGreaterThanOrEqual(size(list[i - 1]!));
    for (const w of list) {
      expect(w.tasks.length).toBeGreaterThanOrEqual(1);
      expect(w.tasks.length).toBeLessThanOrEqual(2);
      for (const p of programs(w)) {
        expect(p.length).toBeLessThanOrEqual(2);
        p.forEach((op, i) => { if (isOpen(op)) expect(matchingClose(p, i)).toBeGreaterThan(i); });
      }
    }
  });

  test('on one CPU with one operation per program and no interrupts: kmap_flush_unused() alone, on every pool', () => {
    // one operation cannot open and close a section, and a write needs a mapping
    const list = all({ cpus: 1, ops: 1, params: { irqs: 0 } });
    expect(list.map((w) => `${w.pkmap}:${JSON.stringify(w.tasks[0]!.ops)}`)).toEqual(['1:[["flush"]]', '2:[["flush"]]', '4:[["flush"]]']);
  });

  test('on one CPU with two operations: the flush twice, or one section of each kind on each page', () => {
    const list = all({ cpus: 1, ops: 2, params: { irqs: 0, PKMAP_ORDER: 0 } });
    expect(list.map((w) => JSON.stringify(w.tasks[0]!.ops))).toEqual([
      '[["flush"]]',
      '[["flush"],["flush"]]',
      ...['kmap', 'local', 'atomic'].flatMap((k) => [0, 1].map((p) => JSON.stringify([[k, p], [{ kmap: 'kunmap', local: 'unlocal', atomic: 'unatomic' }[k], p]]))),
    ]);
  });

  test('fixed parameters bound it; the buggy callers of a variant are in its alphabet', () => {
    for (const w of all({ cpus: 1, ops: 4, params: { PKMAP_ORDER: 1, kmaps: 1, 'local-depth': 1, irqs: 0 } })) {
      expect(w.pkmap).toBe(2);
      for (const t of w.tasks) expect([nesting(t.ops, true), nesting(t.ops, false)].every((n) => n <= 1)).toBe(true);
    }
    expect(all({ cpus: 1, ops: 1, variant: 'M-B4-fork' }).some((w) => w.tasks[0]!.ops[0]![0] === 'fork')).toBe(true);
    expect(all({ cpus: 1, ops: 2, variant: 'M-B3' }).some((w) => w.irqs[0]?.ops.length === 1 && w.irqs[0].ops[0]![0] === 'local')).toBe(true);
  });

  test('the smallest workloads already expose the deadlock and hold on mainline', () => {
    const dead = all({ cpus: 1, ops: 4, variant: 'nested-kmap-deadlock', params: { irqs: 0 } })
      .find((w) => execute(kmapProtocol, variant('nested-kmap-deadlock'), w, new RandomStrategy([]), { cpus: 1, maxSteps: 500, maxPreemptions: 0, maxEnvSteps: 0, trace: false }).failure);
    expect(dead?.tasks[0]!.ops.map((op) => op[0])).toEqual(['kmap', 'kmap', 'kunmap', 'kunmap']);
    for (const w of all({ cpus: 1, ops: 3 }).slice(0, 200)) {
      const r = execute(kmapProtocol, variant('mainline'), w, new RandomStrategy([]), { cpus: 1, maxSteps: 500, maxPreemptions: 0, maxEnvSteps: 0, trace: false });
      expect(r.failure).toBeNull();
    }
  });
});
