/**
 * The TLB model's flushes act on the TLB of the CPU that executes them (taken from the context,
 * never from an argument), as an INVLPG or a CR3 write does; only ARM's broadcast TLBI reaches
 * every CPU. A model that let code flush another CPU's TLB directly would hide a flush sent to
 * the wrong CPU (kmap's cpu-index mutant of flush_tlb_kernel_range()).
 */
import { describe, expect, test } from 'vitest';
import type { Exec } from '../../../src/sim/thread.js';
import { tlb_fill, tlb_flush, tlb_flush_one, tlb_lookup, type Tlb } from '../../../src/sim/tlb.js';

const on = (cpu: number) => ({ cpu: () => cpu }) as unknown as Exec<unknown, unknown>;
const VA = 0x1000;

/** Two CPUs, each caching VA globally and under PCID 1. */
function twoCpus(): Tlb[] {
  const tlbs: Tlb[] = [{}, {}];
  for (const t of tlbs) {
    tlb_fill(t, 0, VA, { pfn: 7, writable: true, global: true });
    tlb_fill(t, 1, VA, { pfn: 8, writable: true, global: false });
  }
  return tlbs;
}

describe('sim/tlb flushes', () => {
  test('tlb_flush_one() flushes only the executing CPU\'s TLB', () => {
    const tlbs = twoCpus();
    tlb_flush_one(on(1), tlbs, VA);
    expect(Object.keys(tlbs[1]!)).toEqual([]);
    expect(tlb_lookup(tlbs[0]!, 1, VA)?.pfn).toBe(7);
  });

  test('INVPCID type 0 (global: false) keeps the global entry; a pcid keeps the other PCIDs', () => {
    const tlbs = twoCpus();
    tlb_flush_one(on(0), tlbs, VA, { pcid: 1, global: false });
    expect(Object.keys(tlbs[0]!)).toEqual([`g:${VA}`]);
    tlb_flush_one(on(0), tlbs, VA, { pcid: 2 });
    expect(Object.keys(tlbs[0]!)).toEqual([]);
    expect(Object.keys(tlbs[1]!)).toHaveLength(2);
  });

  test('a broadcast flush (TLBI ...IS) reaches every CPU', () => {
    const tlbs = twoCpus();
    tlb_flush_one(on(0), tlbs, VA, { broadcast: true });
    expect(tlbs.map((t) => Object.keys(t).length)).toEqual([0, 0]);
  });

  test('tlb_flush() drops the executing CPU\'s non-global entries only (globals with `global`)', () => {
    const tlbs = twoCpus();
    tlb_flush(on(0), tlbs);
    expect(Object.keys(tlbs[0]!)).toEqual([`g:${VA}`]);
    expect(Object.keys(tlbs[1]!)).toHaveLength(2);
    tlb_flush(on(0), tlbs, { global: true });
    expect(Object.keys(tlbs[0]!)).toEqual([]);
  });
});
