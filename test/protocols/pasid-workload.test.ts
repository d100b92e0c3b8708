/**
 * PASID workloads: declared parameters fix what the generator varies, swarm kinds restrict the
 * operations, enumerate() lists every workload within proof bounds once, smallest first, and the
 * shrinker only proposes smaller legal workloads.
 */
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { findProtocol, findVariant } from '../../src/protocols.js';
import type { UserOp } from '../../properties/pasid-programs.js';
import { shrinkPasidWorkload } from '../../properties/pasid-shrink.js';
import type { PasidWorkload } from '../../properties/pasid-workload.js';

const pasid = findProtocol('pasid');
const variant = findVariant(pasid, undefined);
const sample = (o: { kinds?: Set<string>; params?: Record<string, number> }, n = 300): PasidWorkload[] =>
  fc.sample(pasid.workload({ cpus: 2, ops: 6, variant, ...o }), { seed: 11, numRuns: n }) as PasidWorkload[];

const kindsOf = (ops: readonly UserOp[]): string[] => ops.flatMap((op) => (op.length === 2 ? [op[0], ...kindsOf(op[1])] : [op[0]]));
const allOps = (w: PasidWorkload) => w.tasks.flatMap((t) => [...kindsOf(t.ops), ...(t.threads ?? []).flatMap((u) => kindsOf(u.ops))]);
const size = (w: PasidWorkload) => allOps(w).length + w.tasks.filter((t) => t.handler).length + w.irqs.length + w.kthreads.length;

describe('parameters', () => {
  test('every declared parameter has a range the generator honours when fixed', () => {
    const fixed = { processes: 2, threads: 2, irqs: 1, 'irq-times': 3, kthreads: 1, pasids: 1, handlers: 1, nesting: 0 };
    for (const w of sample({ params: fixed })) {
      expect(w.tasks).toHaveLength(2);
      for (const t of w.tasks) {
        expect(t.threads).toHaveLength(1);
        expect(t.handler).toBe(true);
        expect(allOps({ ...w, tasks: [t] }).some((k) => k === 'clone' || k === 'fork')).toBe(false);
      }
      expect(w.irqs).toHaveLength(1);
      expect(w.irqs.every((q) => q.times <= 3)).toBe(true);
      expect(w.kthreads).toHaveLength(1);
      expect(w.pasids).toBe(1);
    }
    for (const p of pasid.parameters!) expect(p.min).toBeLessThanOrEqual(p.max);
  });

  test('unfixed, the generator varies them', () => {
    const ws = sample({});
    expect(new Set(ws.map((w) => w.tasks.length)).size).toBe(3);
    expect(new Set(ws.map((w) => w.pasids)).size).toBe(3);
    expect(ws.some((w) => w.tasks.some((t) => t.handler)) && ws.some((w) => w.tasks.some((t) => !t.handler))).toBe(true);
  });
});

describe('swarm kinds', () => {
  test('a run uses only its kinds, plus the essential open and ENQCMD', () => {
    const kinds = new Set(['crypto', 'hardirq']);
    for (const w of sample({ kinds })) {
      expect(allOps(w).every((k) => ['open', 'enqcmd', 'crypto'].includes(k))).toBe(true);
      expect(w.tasks.every((t) => !t.handler && (t.threads ?? []).length === 0)).toBe(true);
      expect(w.irqs.every((q) => q.kind === 'hardirq')).toBe(true);
      expect(w.kthreads).toHaveLength(0);
    }
  });
  test('a counted kind the run drew is used at least once (interrupts, kthreads, threads from the start)', () => {
    for (const w of sample({ kinds: new Set(['hardirq', 'kthread', 'threads']) })) {
      expect(w.irqs.length).toBeGreaterThan(0);
      expect(w.kthreads.length).toBeGreaterThan(0);
      expect(w.tasks.every((t) => (t.threads ?? []).length > 0)).toBe(true);
    }
    // a value the user fixed still wins
    for (const w of sample({ kinds: new Set(['hardirq']), params: { irqs: 0 } })) expect(w.irqs).toHaveLength(0);
  });
  test('every operation kind is used by some run when all are allowed', () => {
    const seen = new Set(sample({}, 600).flatMap((w) => [...allOps(w), ...w.irqs.map((q) => q.kind), ...(w.kthreads.length ? ['kthread'] : []),
      ...(w.tasks.some((t) => t.handler) ? ['handler'] : []), ...(w.tasks.some((t) => t.threads?.length) ? ['threads'] : [])]));
    for (const k of pasid.operations!) expect(seen.has(k)).toBe(true);
  });
});

describe('enumerate', () => {
  const all = [...pasid.enumerate!({ cpus: 2, ops: 2, variant, params: { processes: 1, irqs: 0, kthreads: 0, nesting: 1 } })] as PasidWorkload[];

  test('smallest first, each workload once', () => {
    const sizes = all.map(size);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    expect(new Set(all.map((w) => JSON.stringify(w))).size).toBe(all.length);
  });

  test('every program of at most `ops` operations over the alphabet (one process, no environment)', () => {
    // size 1: 6 leaves; size 2: 36 pairs + clone/fork of a leaf (12) + a handler with a leaf (6)
    expect(all.filter((w) => size(w) === 1)).toHaveLength(6);
    expect(all.filter((w) => size(w) === 2)).toHaveLength(36 + 12 + 6);
    expect(all.every((w) => w.tasks.every((t) => t.ops.length <= 2))).toBe(true);
  });

  test('without fixed parameters it includes two processes, interrupts and a kthread', () => {
    const some = [...pasid.enumerate!({ cpus: 2, ops: 1, variant })].slice(0, 5000) as PasidWorkload[];
    expect(some.some((w) => w.tasks.length === 2)).toBe(true);
    expect(some.some((w) => w.irqs.length === 1)).toBe(true);
    expect(some.some((w) => w.kthreads.length === 1)).toBe(true);
  });
});

test('shrinking proposes strictly smaller workloads', () => {
  for (const w of sample({}, 100)) {
    for (const s of shrinkPasidWorkload(w)) {
      const smaller = size(s) < size(w) || s.irqs.reduce((n, q) => n + q.times, 0) < w.irqs.reduce((n, q) => n + q.times, 0)
        || (s.tasks.flatMap((t) => t.threads ?? []).length < w.tasks.flatMap((t) => t.threads ?? []).length);
      expect(smaller).toBe(true);
    }
  }
});
