/** Footprints: what the recording proxy sees, and when two steps count as dependent. */
import { describe, expect, it } from 'vitest';
import { dependent, Recorder } from '../../src/engine/record.js';
import { createWorld } from '../../src/sim/world.js';

describe('Recorder', () => {
  it('records reads and writes by access path, three segments deep, only inside a step', () => {
    const rec = new Recorder({ footprints: true });
    const w = rec.wrap(createWorld(2, { count: [0, 0], tlb: [{}, {}] as Record<number, number>[], nr: 0 }));
    w.k.nr = 1; // outside a step: not recorded
    rec.begin();
    w.k.count[1]! += 1;
    void w.k.tlb[0]![0x1000];
    w.tasks[0]!.preempt_count++;
    delete w.locks['kmap_lock'];
    rec.end();
    const [fp] = rec.drain();
    expect(fp!.reads.sort()).toEqual(['k.tlb.0', 'k.count.1', 'tasks.0.preempt_count'].sort());
    expect(fp!.writes.sort()).toEqual(['k.count.1', 'locks.kmap_lock', 'tasks.0.preempt_count']);
    expect(rec.drain()).toEqual([]);
  });

  it('hashes the values a step reads, in order: equal reads, equal hash; another value or order, another hash', () => {
    const rec = new Recorder({ history: true });
    const w = rec.wrap(createWorld(1, { a: 1, b: 2, o: { c: 3 } as { c: number } | null }));
    const run = (f: () => void) => { rec.begin(); f(); return rec.end(); };
    const ab = run(() => { void w.k.a; void w.k.b; });
    expect(run(() => { void w.k.a; void w.k.b; })).toBe(ab);
    expect(run(() => { void w.k.b; void w.k.a; })).not.toBe(ab);
    w.k.a = 5;
    expect(run(() => { void w.k.a; void w.k.b; })).not.toBe(ab);
    // reaching an object counts (code may branch on its presence), as do `in` and the keys of an object
    const some = run(() => { void w.k.o; });
    w.k.o = null;
    expect(run(() => { void w.k.o; })).not.toBe(some);
    expect(run(() => { void ('a' in w.k); })).not.toBe(run(() => { void ('zz' in w.k); }));
    expect(run(() => { void Object.keys(w.k); })).not.toBe(run(() => { void Object.keys(w.tasks[0]!); }));
  });
});

describe('dependent', () => {
  const fp = (reads: string[], writes: string[]) => ({ reads, writes });
  it('write/write and write/read on overlapping paths are dependent; reads alone are not', () => {
    expect(dependent(fp([], ['k.count.1']), fp([], ['k.count.1']))).toBe(true);
    expect(dependent(fp([], ['k.count']), fp(['k.count.1'], []))).toBe(true);
    expect(dependent(fp(['k.count.1'], []), fp(['k.count.1'], []))).toBe(false);
    expect(dependent(fp([], ['k.count.1']), fp([], ['k.count.10']))).toBe(false);
    expect(dependent(fp([], ['cpus.0']), fp(['cpus.1.irqsOff'], ['cpus.1']))).toBe(false);
    expect(dependent(fp(['*'], []), fp([], ['spec']))).toBe(true);
  });
});
