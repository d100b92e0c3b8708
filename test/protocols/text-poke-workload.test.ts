/**
 * text-poke workloads: swarm kinds and fixed parameters are honoured, the proof alphabet yields
 * each workload once within its bounds, and poking_init() places poking_addr as the kernel does.
 */
import * as fc from 'fast-check';
import { expect, test } from 'vitest';
import { textPokeProtocol } from '../../properties/text-poke.js';
import { textPokeVariants } from '../../properties/text-poke-variants.js';
import type { TextPokeWorkload } from '../../properties/text-poke-workload.js';
import { poking_init } from '../../src/kernel/arch/x86/mm/init.js';
import type { TextPokeState } from '../../src/kernel/mm/text-poke-types.js';

const variant = textPokeVariants[0]!;
const sample = (o: Partial<Parameters<typeof textPokeProtocol.workload>[0]>) =>
  fc.sample(textPokeProtocol.workload({ cpus: 2, ops: 4, variant, ...o }), { numRuns: 200, seed: 1 }) as TextPokeWorkload[];

test('a run limited to some operation kinds uses only those', () => {
  for (const wl of sample({ kinds: new Set(['store', 'munmap', 'poke']) })) {
    expect(wl.kthreads).toEqual([]); // kernel-thread pokers need 'kthread'
  }
  for (const wl of sample({ kinds: new Set(['store', 'munmap']) })) {
    expect(wl.kthreads).toEqual([]);
    expect(wl.irqs).toEqual([]);
    for (const p of wl.procs) {
      expect(p.thread).toBeUndefined();
      for (const op of p.ops) expect(['store', 'munmap']).toContain(op[0]);
    }
  }
  const all = sample({});
  expect(all.some((wl) => wl.procs.some((p) => p.ops.some((op) => op[0] === 'poke' && op[2])))).toBe(true);
  expect(all.some((wl) => wl.kthreads.some((t) => t.ops.some((op) => op[0] === 'reclaim')))).toBe(true);
});

test('fixed parameters are honoured, the others vary', () => {
  const ws = sample({ params: { kaslr: 7, procs: 2 } });
  expect(ws.every((wl) => wl.kaslr === 7 && wl.procs.length === 2)).toBe(true);
  expect(new Set(ws.map((wl) => wl.kthreads.length)).size).toBeGreaterThan(1);
});

test('poking_init(): random page offset, moved on when the second page would start a new PMD', () => {
  const at = (kaslr: number) => {
    const k = { mms: [], poking_addr: 0 } as unknown as TextPokeState;
    poking_init(k, { cpus: 2, kaslr });
    return k.poking_addr;
  };
  expect(at(0)).toBe(0x4000);
  expect(at(7)).toBe(0xc000); // 0xb000 + PAGE_SIZE is PMD-aligned
});

test('the proof alphabet: every workload once, within the bounds, smallest first', () => {
  const ws = [...textPokeProtocol.enumerate!({ cpus: 2, ops: 2, variant })] as TextPokeWorkload[];
  const keys = ws.map((w) => JSON.stringify(w));
  expect(new Set(keys).size).toBe(keys.length);
  // 3 + 9 kthread programs on cpu 0 or cpu 1, each alone and with 4 + 16 process programs
  expect(ws.length).toBe(12 * 2 * 21);
  for (const w of ws) {
    expect(w.kthreads[0]!.ops.length).toBeLessThanOrEqual(2);
    expect(w.procs[0]!.ops.length).toBeLessThanOrEqual(2);
  }
  expect(ws[0]!.kthreads[0]!.ops.length).toBe(1);
});
