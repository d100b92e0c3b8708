/**
 * The kmap model's mechanisms one by one, on purpose-built workloads run by the engine: the TLB
 * flush as IPIs waited for under kmap_lock, speculative TLB fills, the ARM kmap_high_get() pin
 * and its deadlock against an IPI flush, kmap_flush_unused() racing with kmap(), WARN_ON_ONCE,
 * and the scope of the 66f133ceab74 fix.
 */
import { describe, expect, test } from 'vitest';
import { execute, type ExecOptions } from '../../src/engine/engine.js';
import type { Execution, TraceStep } from '../../src/engine/result.js';
import { prng, RandomStrategy } from '../../src/explore/random.js';
import type { Protocol, Variant } from '../../src/protocol.js';
import { createWorld } from '../../src/sim/world.js';
import { mk_pte, PKMAP_ADDR } from '../../src/kernel/mm/pgtable.js';
import type { KmapOp } from '../../src/kernel/mm/kmap-callers.js';
import type { Exec } from '../../src/sim/thread.js';
import { kmapProtocol } from '../../properties/kmap.js';
import { kmapVariants, type KmapVariantConfig } from '../../properties/kmap-variants.js';
import type { KmapWorkload } from '../../properties/kmap-workload.js';

const variant = (name: string) => kmapVariants.find((v) => v.name === name)!;
const opts = (cpus: number, o: Partial<ExecOptions> = {}): ExecOptions =>
  ({ cpus, maxSteps: 5000, maxPreemptions: Infinity, maxEnvSteps: 32, trace: true, ...o });
const wl = (pkmap: number, tasks: KmapOp[][], irqs: KmapWorkload['irqs'] = []): KmapWorkload =>
  ({ pkmap, tasks: tasks.map((ops, cpu) => ({ cpu, ops })), irqs });

/** `n` executions under random choice lists drawn from a fixed PRNG. */
function* schedules(p: Protocol, v: Variant, w: KmapWorkload, o: ExecOptions, n: number): Generator<Execution> {
  const rand = prng(42);
  for (let i = 0; i < n; i++) yield execute(p, v, w, new RandomStrategy(Array.from({ length: 200 }, () => rand() & 0xffff)), o);
}

const idx = (t: TraceStep[], pred: (s: TraceStep) => boolean) => t.findIndex(pred);

describe('flush_tlb_kernel_range(): IPIs, waited for with kmap_lock held', () => {
  // A kmaps and kunmaps p0 (count 1: mapped, unused), then kmap_flush_unused() frees and flushes it
  const w = wl(1, [[['kmap', 0], ['kunmap', 0], ['flush']]]);

  test('one IPI per other CPU; the flusher waits for every handler before it drops kmap_lock', () => {
    const r = execute(kmapProtocol, variant('mainline'), w, new RandomStrategy([]), opts(3));
    expect(r.failure).toBeNull();
    expect(r.counters.ipi).toBe(2);
    const t = r.trace!;
    const handlers = t.filter((s) => s.ctx === 'do_kernel_range_flush' && s.fn === 'do_kernel_range_flush');
    expect(handlers.map((s) => s.cpu).sort()).toEqual([1, 2]);
    const wait = idx(t, (s) => s.fn === 'smp_call_function_many_cond');
    expect(wait).toBeGreaterThan(0);
    for (const h of handlers) expect(t.indexOf(h)).toBeLessThan(wait);
    // kmap_lock is released only in the step that finishes the wait
    const unlock = idx(t, (s) => s.i > t[wait - 1]!.i && s.changes.some((c) => c.startsWith('locks: kmap_lock → -')));
    expect(unlock).toBe(wait);
  });

  test('a CPU with interrupts off delays the flush until it turns them on again', () => {
    // a hardirq on cpu1 holds irqs off while the flush is under way in some schedules
    const w2 = wl(1, [[['kmap', 0], ['kunmap', 0], ['flush']]], [{ cpu: 1, kind: 'hardirq', ops: [['atomic', 1], ['write'], ['unatomic', 1]] }]);
    let delayed = 0;
    for (const r of schedules(kmapProtocol, variant('mainline'), w2, opts(2), 300)) {
      expect(r.failure).toBeNull();
      const t = r.trace!;
      const enter = idx(t, (s) => s.ctx === 'irq0' && s.fn === 'irq_enter');
      const exit = idx(t, (s) => s.ctx === 'irq0' && s.fn === 'irq_exit');
      const wait = idx(t, (s) => s.fn === 'smp_call_function_many_cond');
      const send = t.slice(0, Math.max(wait, 0)).findLastIndex((s) => s.ctx === 'task A');
      const handler = idx(t, (s) => s.ctx === 'do_kernel_range_flush' && s.cpu === 1);
      if (wait < 0 || enter < 0 || !(enter < send && send < exit)) continue;
      delayed++;
      expect(handler).toBeGreaterThan(exit);
    }
    expect(delayed).toBeGreaterThan(0);
  });
});

describe('speculative TLB fills (environment actions)', () => {
  const fake = (w: unknown) => ({ w }) as unknown as Exec<never, never>;

  test('one fill per CPU that does not cache a present pkmap PTE yet; none for a none PTE or without HIGHMEM', () => {
    const s = kmapProtocol.setup(wl(2, []), variant('mainline'), { cpus: 2 });
    const w = createWorld(2, s.k);
    expect(kmapProtocol.environment!(w)).toHaveLength(0);
    w.k.pkmap_page_table[1] = mk_pte(2);
    const acts = kmapProtocol.environment!(w);
    expect(acts.map((a) => a.cpu)).toEqual([0, 1]);
    expect(acts[0]!.what).toContain(`0x${PKMAP_ADDR(1).toString(16)} → p2`);
    acts[1]!.run(fake(w));
    expect(kmapProtocol.environment!(w).map((a) => a.cpu)).toEqual([0]);
    const lowmem = createWorld(2, kmapProtocol.setup(wl(2, []), variant('no-highmem'), { cpus: 2 }).k);
    lowmem.k.pkmap_page_table[1] = mk_pte(2);
    expect(kmapProtocol.environment!(lowmem)).toHaveLength(0);
  });

  test('M-B5 without any access: only a speculative fill leaves the stale entry, and it is found', () => {
    const w = wl(1, [[['kmap', 0], ['kunmap', 0]], [['kmap', 1], ['kunmap', 1]]]);
    const found = [...schedules(kmapProtocol, variant('M-B5'), w, opts(2), 300)].filter((r) => r.failure);
    expect(found.length).toBeGreaterThan(0);
    for (const r of found) {
      expect(r.failure!.invariant).toBe('kmap/B-INV6-pkmap-counts');
      expect(r.trace!.some((s) => s.fn === 'tlb_fill')).toBe(true);
    }
    // without fills, nothing else puts the translation in a TLB: the mutant goes unseen here
    for (const r of schedules(kmapProtocol, variant('M-B5'), w, opts(2, { maxEnvSteps: 0 }), 300)) expect(r.failure).toBeNull();
  });

  test('the IPI flush matters: not waiting for it (M-B5-nowait) or not sending it (M-B5-local) leaves a stale translation', () => {
    const w = wl(1, [[['kmap', 0], ['kunmap', 0], ['kmap', 1], ['write'], ['kunmap', 1]], [['flush']]]);
    for (const name of ['M-B5-nowait', 'M-B5-local']) {
      const runs = [...schedules(kmapProtocol, variant(name), w, opts(2), 400)];
      expect(runs.some((r) => r.failure?.invariant === 'kmap/B-INV6-pkmap-counts'), name).toBe(true);
    }
    for (const r of schedules(kmapProtocol, variant('mainline'), w, opts(2), 400)) expect(r.failure).toBeNull();
  });
});

describe('ARCH_NEEDS_KMAP_HIGH_GET', () => {
  test('kmap_local_page() of a kmap()ed page pins its pkmap slot and kunmap_local() unpins it', () => {
    const w = wl(1, [[['kmap', 0], ['local', 0], ['write'], ['unlocal', 0], ['kunmap', 0]]]);
    const r = execute(kmapProtocol, variant('arm-kmap-high-get'), w, new RandomStrategy([]), opts(1));
    expect(r.failure).toBeNull();
    const t = r.trace!;
    const pin = t.find((s) => s.fn === 'kmap_high_get');
    expect(pin?.changes).toContain('pkmap_count[0]: 2 → 3');
    expect(pin?.spec.join()).toContain(`vaddr=${PKMAP_ADDR(0)}`);
    expect(t.some((s) => s.changes.some((c) => c.startsWith('fixmap')))).toBe(false);
    expect(t.some((s) => s.changes.includes('pkmap_count[0]: 3 → 2'))).toBe(true);
  });

  // the two CPUs: A flushes (kmap_lock held, irqs off, waiting for cpu1's IPI), B spins on kmap_lock with irqs off
  const race = wl(1, [[['kmap', 0], ['kunmap', 0], ['flush']], [['kmap', 1], ['kunmap', 1]]]);
  /** the protocol with the kernel's own warning left to the log, so that the run goes on to its end */
  const quiet: Protocol = { ...kmapProtocol, invariants: kmapProtocol.invariants.filter((i) => i.name !== 'kmap/no-false-warning') };

  test('with an IPI flush (which the kernel refuses to build) the flush and a kmap_lock spinner deadlock', () => {
    const runs = [...schedules(quiet, variant('kmap-high-get-ipi-flush'), race, opts(2), 300)];
    const dead = runs.filter((r) => r.failure?.kind === 'deadlock');
    expect(dead.length).toBeGreaterThan(0);
    expect(dead[0]!.failure!.message).toMatch(/csd_lock_wait.*spin_lock\(&kmap_lock\)|spin_lock\(&kmap_lock\).*csd_lock_wait/);
    expect(dead[0]!.warnings.join()).toContain('called with interrupts disabled');
    // every other run ends well or deadlocks the same way: nothing else goes wrong
    for (const r of runs) expect([null, 'kernel/progress']).toContain(r.failure?.invariant ?? null);
  });

  test('with the hardware broadcast flush ARM uses, the same race always completes', () => {
    for (const r of schedules(kmapProtocol, variant('arm-kmap-high-get'), race, opts(2), 300)) expect(r.failure).toBeNull();
  });
});

test('kmap_flush_unused() racing with kmap(): the pool stays consistent and flushes do happen in between', () => {
  const w = wl(1, [[['kmap', 0], ['write'], ['kunmap', 0], ['kmap', 0], ['write'], ['kunmap', 0]], [['flush'], ['flush']]]);
  let remapped = 0;
  for (const r of schedules(kmapProtocol, variant('mainline'), w, opts(2), 300)) {
    expect(r.failure).toBeNull();
    if (r.trace!.filter((s) => s.fn === 'map_new_virtual').length === 2) remapped++;
  }
  expect(remapped).toBeGreaterThan(0);
});

describe('WARN_ON_ONCE and the 66f133ceab74 fix', () => {
  const quiet: Protocol = { ...kmapProtocol, invariants: kmapProtocol.invariants.filter((i) => i.name !== 'kmap/no-false-warning') };
  // A holds a local mapping across preemptions by B on one CPU
  const w = wl(1, [[['local', 0], ['write'], ['write'], ['write'], ['unlocal', 0]], [['local', 1], ['write'], ['write'], ['unlocal', 1]]]);
  const oneCpu = { ...w, tasks: w.tasks.map((t) => ({ ...t, cpu: 0 })) };

  test('a guard-slot WARN_ON_ONCE fires once per call site however often its condition holds', () => {
    let tested = 0;
    for (const r of schedules(quiet, variant('xtensa-guard-pte-none'), oneCpu, opts(1), 200)) {
      const outs = r.trace!.filter((s) => s.fn === '__kmap_local_sched_out').length;
      if (outs < 2) continue;
      tested++;
      expect(r.warnings.filter((m) => m.includes('__kmap_local_sched_out'))).toHaveLength(1);
    }
    expect(tested).toBeGreaterThan(0);
  });

  test('live slots keep pte_none(): an unsaved PTE warns on x86, and on xtensa (0 is not pte_none) goes unwarned but is caught', () => {
    const base = variant('M-B2-pteval') as Variant<KmapVariantConfig>;
    const xtensa: Variant<KmapVariantConfig> = { ...base, name: 'M-B2-pteval-xtensa', config: { ...base.config, kernel: { ...base.config.kernel, arch: 'xtensa', DEBUG_KMAP_LOCAL: true } } };
    const x86 = [...schedules(kmapProtocol, base, oneCpu, opts(1), 200)].find((r) => r.failure);
    expect(x86?.failure?.message).toContain('has no saved PTE');
    const xt = [...schedules(kmapProtocol, xtensa, oneCpu, opts(1), 200)].find((r) => r.failure);
    expect(xt?.failure?.invariant).toBe('kmap/B-INV3-slots');
    expect(xt?.warnings).toEqual([]);
  });
});

test('PREEMPT_RT: kmap_atomic() disables migration instead of preemption, and B-INV7 asks for that', () => {
  const w = wl(1, [[['atomic', 0], ['write'], ['unatomic', 0]]]);
  const rt = execute(kmapProtocol, variant('mainline'), w, new RandomStrategy([]), opts(1, { preempt: 'rt' }));
  expect(rt.failure).toBeNull();
  const first = rt.trace!.find((s) => s.fn === 'kmap_atomic')!;
  expect(first.changes).toContain('A.preempt/pf/migrate: 0/0/0 → 0/1/1');
  const full = execute(kmapProtocol, variant('mainline'), w, new RandomStrategy([]), opts(1));
  expect(full.trace!.find((s) => s.fn === 'kmap_atomic')!.changes).toContain('A.preempt/pf/migrate: 0/0/0 → 1/1/0');
});
