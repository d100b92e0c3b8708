/** Footprints: what the recording proxy sees, and when two steps count as dependent. */
import { describe, expect, it } from 'vitest';
import { dependent, FootprintRecorder } from '../../src/explore/footprint.js';
import { createWorld } from '../../src/sim/world.js';

describe('FootprintRecorder', () => {
  it('records reads and writes by access path, three segments deep, only inside a step', () => {
    const rec = new FootprintRecorder();
    const w = rec.wrap(createWorld(2, { count: [0, 0], tlb: [{}, {}] as Record<number, number>[], nr: 0 }));
    w.k.nr = 1; // outside a step: not recorded
    rec.begin();
    w.k.count[1]! += 1;
    void w.k.tlb[0]![0x1000];
    w.tasks[0]!.preempt_count++;
    delete w.locks['kmap_lock'];
    rec.end();
    const [fp] = rec.drain();
    expect(fp!.reads.sort()).toEqual(['k.count.1', 'k.tlb.0', 'tasks.0.preempt_count']);
    expect(fp!.writes.sort()).toEqual(['k.count.1', 'locks.kmap_lock', 'tasks.0.preempt_count']);
    expect(rec.drain()).toEqual([]);
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
