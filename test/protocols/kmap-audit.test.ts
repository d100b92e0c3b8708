/**
 * Checks and workloads added to kill the kmap mutants the mutation self-audit found alive
 * (BENCHMARKS.md, "Gaps found"): each invariant catches a hand-made buggy state or execution and
 * holds on the correct model; each workload shape reaches the code it was added for.
 */
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { execute, type ExecOptions } from '../../src/engine/engine.js';
import type { Execution } from '../../src/engine/result.js';
import { prng, RandomStrategy } from '../../src/explore/random.js';
import type { Protocol, Variant } from '../../src/protocol.js';
import { createWorld, type World } from '../../src/sim/world.js';
import type { KmapOp } from '../../src/kernel/mm/kmap-callers.js';
import type { KmapState, X } from '../../src/kernel/mm/kmap-types.js';
import { access, lowmem_address, mk_pte, PKMAP_ADDR } from '../../src/kernel/mm/pgtable.js';
import { kmapProtocol } from '../../properties/kmap.js';
import { crossKmaps, limitNesting, matchingClose, unmatched } from '../../properties/kmap-programs.js';
import { kmapVariants } from '../../properties/kmap-variants.js';
import type { KmapWorkload } from '../../properties/kmap-workload.js';

const variant = (name: string) => kmapVariants.find((v) => v.name === name)!;
const opts = (cpus: number): ExecOptions => ({ cpus, maxSteps: 5000, maxPreemptions: Infinity, maxEnvSteps: 32, trace: true });
const wl = (pkmap: number, tasks: KmapOp[][], irqs: KmapWorkload['irqs'] = []): KmapWorkload =>
  ({ pkmap, tasks: tasks.map((ops, cpu) => ({ cpu, ops })), irqs });
const invariant = (name: string) => kmapProtocol.invariants.find((i) => i.name === name)!;

function* schedules(p: Protocol, v: Variant, w: KmapWorkload, o: ExecOptions, n: number): Generator<Execution> {
  const rand = prng(7);
  for (let i = 0; i < n; i++) yield execute(p, v, w, new RandomStrategy(Array.from({ length: 200 }, () => rand() & 0xffff)), o);
}

/** A World of the kmap protocol with `pkmap` slots, as setup() makes it. */
function world(pkmap: number, name = 'mainline'): World<KmapState> {
  const s = kmapProtocol.setup(wl(pkmap, []), variant(name), { cpus: 2 });
  return createWorld(2, s.k);
}

describe('kmap/flush-unused: the postcondition of kmap_flush_unused()', () => {
  const check = (w: World<KmapState>) => invariant('kmap/flush-unused').check!(w, undefined as never, undefined as never);

  test('a return with a slot still mapped and unused, or a free slot still cached, is caught', () => {
    const w = world(2);
    w.k.flushReturn = { who: 'A', pkmap_count: [1, 0], tlb: [{}, {}] };
    expect(check(w)).toMatch(/pkmap slot 0 still mapped and unused/);
    w.k.flushReturn = { who: 'A', pkmap_count: [0, 2], tlb: [{}, { [`g:${PKMAP_ADDR(0)}`]: { pfn: 1, writable: true, global: true } }] };
    expect(check(w)).toMatch(/free pkmap slot 0 still cached by cpu1/);
  });

  test('a return with every unused slot freed and flushed passes (slots in use may stay cached)', () => {
    const w = world(2);
    w.k.pkmap_count = [2, 0];
    w.k.pkmap_page_table = [mk_pte(1), 0];
    w.k.flushReturn = { who: 'A', pkmap_count: [0, 2], tlb: [{ [`g:${PKMAP_ADDR(1)}`]: { pfn: 1, writable: true, global: true } }, {}] };
    expect(check(w)).toBeFalsy();
  });

  test('the correct model records every return and holds, also with kmap() racing on the other CPU', () => {
    const w = wl(1, [[['kmap', 0], ['write'], ['kunmap', 0], ['flush'], ['kmap', 1], ['kunmap', 1]], [['kmap', 2], ['kunmap', 2], ['flush']]]);
    for (const name of ['mainline', 'arm-kmap-high-get', 'no-highmem']) {
      let seen = 0;
      for (const r of schedules(kmapProtocol, variant(name), w, opts(2), 100)) {
        expect(r.failure).toBeNull();
        if (r.trace!.some((s) => s.fn === 'kmap_flush_unused' || s.fn === '__kmap_flush_unused')) seen++;
      }
      expect(seen).toBe(100);
    }
  });
});

describe('kunmap() out of order (kmap() sections that cross)', () => {
  test('crossKmaps() moves the outer kunmap() to just after the inner kmap() of another page', () => {
    const nested: KmapOp[] = [['kmap', 0], ['read'], ['kmap', 1], ['write'], ['kunmap', 1], ['read'], ['kunmap', 0]];
    expect(crossKmaps(nested)).toEqual([['kmap', 0], ['read'], ['kmap', 1], ['kunmap', 0], ['write'], ['kunmap', 1], ['read']]);
    expect(crossKmaps([['kmap', 0], ['kmap', 0], ['kunmap', 0], ['kunmap', 0]])).toEqual([['kmap', 0], ['kmap', 0], ['kunmap', 0], ['kunmap', 0]]);
  });

  test('matchingClose() pairs kmap() sections by page, local ones by nesting; limitNesting() cuts a crossed one whole', () => {
    const ops: KmapOp[] = [['kmap', 0], ['local', 2], ['kmap', 1], ['unlocal', 2], ['kunmap', 0], ['kunmap', 1]];
    expect(matchingClose(ops, 0)).toBe(4);
    expect(matchingClose(ops, 1)).toBe(3);
    expect(matchingClose(ops, 2)).toBe(5);
    expect(limitNesting(ops, { kmaps: 1, depth: 1 })).toEqual([['kmap', 0], ['local', 2], ['unlocal', 2], ['kunmap', 0]]);
    expect(unmatched(ops)).toEqual({ opens: 0, closes: 0 });
  });

  test('the default generator makes them for correct variants', () => {
    const arb = kmapProtocol.workload({ cpus: 2, ops: 6, variant: variant('mainline') });
    const crossed = fc.sample(arb, { numRuns: 300, seed: 5 }).filter((w) => w.tasks.some((t) => t.ops.some((op, i) => {
      if (op[0] !== 'kmap') return false;
      const end = matchingClose(t.ops, i);
      return t.ops.slice(i + 1, end).some((o, j) => o[0] === 'kmap' && matchingClose(t.ops, i + 1 + j) > end);
    })));
    expect(crossed.length).toBeGreaterThan(10);
  });

  // A frees slot 1 (p1) below slot 0 (p0), still held, and asks for p2 with last_pkmap_nr = 0: the
  // scan wraps at once, the flush frees slot 1, and only a scan count reset after the wrap finds it
  test('map_new_virtual() finds the slot its own wrap-around flush freed, without sleeping', () => {
    const w = wl(2, [[['kmap', 1], ['kmap', 0], ['kunmap', 1], ['kmap', 2], ['write'], ['kunmap', 2], ['kunmap', 0]]]);
    const r = execute(kmapProtocol, variant('mainline'), w, new RandomStrategy([]), opts(1));
    expect(r.failure).toBeNull();
    expect(r.counters.pkmap_sleep ?? 0).toBe(0);
    expect(r.counters.tlb_flush).toBe(1); // the second wrap's flush, which freed slot 1
  });
});

describe('the linear map covers lowmem only', () => {
  /** One access through `vaddr`, as a caller makes it on cpu0. */
  function accessVia(w: World<KmapState>, vaddr: number, page: number): void {
    const x = { w, cpu: () => 0, current: () => ({ name: 'A' }) } as unknown as X;
    const g = access(x, 'memcpy', vaddr, page, false);
    while (!g.next().done);
  }
  const data = (w: World<KmapState>) => invariant('kmap/data').check!(w, undefined as never, undefined as never);

  test('an access to a highmem page through a linear address faults, and kmap/data reports it', () => {
    const w = world(2);
    accessVia(w, lowmem_address(0), 0);
    expect(w.k.lastAccess?.reached).toBe('fault');
    expect(data(w)).toMatch(/reached no page \(fault\)/);
  });

  test('lowmem pages, and every page without HIGHMEM, are reached through the linear map', () => {
    const w = world(2);
    accessVia(w, lowmem_address(3), 3);
    expect(data(w)).toBeFalsy();
    const flat = world(2, 'no-highmem');
    accessVia(flat, lowmem_address(0), 0);
    expect(flat.k.lastAccess?.reached).toBe(0);
  });
});

describe('local mappings nested up to the documented stack limit', () => {
  const run = (n: number): KmapOp[] => [...Array.from({ length: n }, (): KmapOp => ['local', 0]), ['write'], ...Array.from({ length: n }, (): KmapOp => ['unlocal', 0])];
  const one = (name: string, n: number) => execute(kmapProtocol, variant(name), wl(1, [run(n)]), new RandomStrategy([]), opts(1));

  test.each([['mainline', 15], ['mainline-debug', 16], ['xtensa-debug', 16]])('%s holds %i nested kmap_local_page()s and BUGs on one more', (name, limit) => {
    expect(one(name as string, limit as number).failure).toBeNull();
    expect(one(name as string, (limit as number) + 1).failure?.invariant).toBe('kernel/BUG');
  });

  test('the generator reaches the limit with DEBUG_KMAP_LOCAL, and past half of it (where a halved stack BUGs) in about a tenth of the workloads', () => {
    const arb = kmapProtocol.workload({ cpus: 2, ops: 6, variant: variant('mainline-debug') });
    const deepest = fc.sample(arb, { numRuns: 1000, seed: 9 }).map((w) => Math.max(...w.tasks.map((t) => {
      let open = 0;
      let most = 0;
      for (const op of t.ops) if (op[0] === 'local' || op[0] === 'atomic') most = Math.max(most, ++open); else if (op[0] === 'unlocal' || op[0] === 'unatomic') open--;
      return most;
    })));
    expect(Math.max(...deepest)).toBe(16);
    expect(deepest.filter((n) => n >= 8).length).toBeGreaterThan(50);
  });
});

describe('kmap/irq-safe-lock: with ARCH_NEEDS_KMAP_HIGH_GET, kmap_lock is held with interrupts off', () => {
  const check = (w: World<KmapState>) => invariant('kmap/irq-safe-lock').check!(w, undefined as never, undefined as never);
  /** cpu0 runs unit 7 (a task), which holds kmap_lock; `irq`: a hardirq came in on top of it. */
  function held(name: string, o: { irqsOff: boolean; irq?: boolean }): World<KmapState> {
    const w = world(2, name);
    const cpu = w.cpus[0]!;
    cpu.ctx = [{ kind: 'thread', unit: 7, savedIrqsOff: false }];
    if (o.irq) cpu.ctx.push({ kind: 'hardirq', unit: 8, savedIrqsOff: o.irqsOff });
    cpu.irqsOff = o.irq ? true : o.irqsOff;
    w.locks.kmap_lock = 7;
    return w;
  }

  test('a holder with interrupts on, or one an interrupt came in on, is caught', () => {
    expect(check(held('arm-kmap-high-get', { irqsOff: false }))).toMatch(/kmap_lock is held on cpu0 \(thread of swapper\/0\) with interrupts on/);
    expect(check(held('arm-kmap-high-get', { irqsOff: false, irq: true }))).toMatch(/with interrupts on/);
  });

  test('a holder with interrupts off passes, and without ARCH_NEEDS_KMAP_HIGH_GET the rule does not apply', () => {
    expect(check(held('arm-kmap-high-get', { irqsOff: true }))).toBeFalsy();
    expect(check(held('arm-kmap-high-get', { irqsOff: true, irq: true }))).toBeFalsy();
    expect(check(held('mainline', { irqsOff: false }))).toBeFalsy();
  });

  test('the ARM model holds it, with a hardirq kmap_local()ing (kmap_high_get()) while a task kmap()s and kunmap()s', () => {
    const w = wl(2, [[['kmap', 0], ['write'], ['kunmap', 0], ['kmap', 1], ['kunmap', 1]]], [{ cpu: 0, kind: 'hardirq', ops: [['local', 0], ['read'], ['unlocal', 0]] }]);
    for (const r of schedules(kmapProtocol, variant('arm-kmap-high-get'), w, opts(1), 200)) expect(r.failure).toBeNull();
  });
});
