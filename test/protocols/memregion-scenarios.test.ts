/**
 * memregion scenarios run without preemption (every decision "keep running"), each showing one
 * mechanism in kernel terms: what the invalidations cost per design, the MemClnEvict of the
 * at-probe design, the WARN gate against a caller that skipped has(), WBINVD in a KVM guest
 * (ignored) and in a TDX guest (#VE), the missing unlock of d1257d098a5a as merged; and the
 * invariants that no catalogued bug trips (E-INV5, E-INV6) firing on states that break them.
 */
import { describe, expect, test } from 'vitest';
import { execute } from '../../src/engine/engine.js';
import { newGhost } from '../../src/engine/ghost.js';
import { RandomStrategy } from '../../src/explore/random.js';
import { findProtocol, findVariant } from '../../src/protocols.js';
import { createWorld } from '../../src/sim/world.js';
import { memregionInvariants } from '../../properties/memregion-invariants.js';
import type { Op } from '../../properties/memregion-programs.js';
import type { MemregionWorkload } from '../../properties/memregion-workload.js';
import type { MemregionState } from '../../src/kernel/mm/memregion-types.js';

const p = findProtocol('memregion');
const boot = { locked: false, cxlUp: true, ram: false, polls: 1 };
const wl = (ops: Op[], o: Partial<MemregionWorkload> = {}): MemregionWorkload => ({ ...boot, tasks: [{ cpu: 0, ops }], ...o });

function straight(variant: string, w: MemregionWorkload) {
  return execute(p, findVariant(p, variant), w, new RandomStrategy([]), { cpus: 2, maxSteps: 2000, maxPreemptions: 0, maxEnvSteps: 0, trace: true });
}
const fns = (r: ReturnType<typeof straight>) => r.trace!.map((s) => s.fn);

const eraseCycle: Op[] = [['store', 'Y0'], ['disable'], ['erase', 'nmem0'], ['enable'], ['load', 'Y0']];

describe('the cost of a secure-erase cycle, per design (2 CPUs)', () => {
  test.each([
    // nd_region_remove() flushes, nd_region_activate() flushes again for NDD_INCOHERENT
    ['mainline', 4, 2],
    // the Intel op flushes before and after the erase; disabling the region flushes nothing
    ['v5', 4, 2],
    ['pre-memregion', 4, 2],
  ])('%s: %i WBINVDs, %i IPIs, the dirty line written back before the erase', (variant, wbinvd, ipi) => {
    const r = straight(variant as string, wl(eraseCycle));
    expect(r.failure).toBeNull();
    expect(r.counters['wbinvd']).toBe(wbinvd);
    expect(r.counters['ipi']).toBe(ipi);
    expect(r.counters['lines-written-back']).toBe(1);
  });
});

test('boot with locked DIMMs: init unlocks them (NDD_INCOHERENT), region0\'s activation flushes, then user space runs', () => {
  const r = straight('mainline', { ...boot, locked: true, cxlUp: false, tasks: [{ cpu: 1, ops: [['load', 'Y0']] }] });
  expect(r.failure).toBeNull();
  expect(r.counters['wbinvd']).toBe(2);
  const i = r.trace!.findIndex((s) => s.spec.some((e) => e.startsWith('ACTIVATE')));
  expect(r.trace!.slice(0, i).filter((s) => s.fn === 'nvdimm_ctl')).toHaveLength(2);
  expect(r.trace!.findIndex((s) => s.ctx === 'task A' && s.fn === 'memcpy_from_pmem')).toBeGreaterThan(i);
});

describe('CXL: tearing down mem0 and committing mem1 behind X with a dirty line of mem0 (ram region)', () => {
  const remap = wl([['store', 'X0'], ['decommit'], ['attach', 'mem1'], ['commit'], ['bind'], ['load', 'X0']], { ram: true });

  test('d18bc74aced6: the probe-time WBINVD writes mem0\'s line into mem1 (E-INV2, no preemption needed)', () => {
    const r = straight('d18bc74aced6', remap);
    expect(r.failure?.invariant).toBe('memregion/E-INV2-no-stale-writeback');
    expect(r.failure?.message).toContain('mem1\'s media holds a line of mem0@0');
    expect(fns(r).indexOf('cxl_region_decode_commit')).toBeLessThan(fns(r).lastIndexOf('native_wbinvd'));
  });

  test('d1257d098a5a: invalidations before the teardown, in the decoder reset and before the commit; the line reaches mem0', () => {
    const r = straight('mainline', remap);
    expect(r.failure).toBeNull();
    expect(r.counters['wbinvd']).toBe(6);
    const order = fns(r).filter((f) => ['native_wbinvd', 'cxl_dax_region_release', 'cxl_region_decode_reset', 'cxl_region_decode_commit'].includes(f));
    expect(order).toEqual(['native_wbinvd', 'native_wbinvd', 'cxl_dax_region_release', 'native_wbinvd', 'native_wbinvd',
      'cxl_region_decode_reset', 'native_wbinvd', 'native_wbinvd', 'cxl_region_decode_commit']);
  });

  test('a pmem region is saved by nd_region_remove()\'s flush even at probe time: Vikram\'s case needs memory outside an nd_region', () => {
    expect(straight('d18bc74aced6', { ...remap, ram: false }).failure).toBeNull();
  });
});

describe('gating', () => {
  const erase: Op[] = [['disable'], ['erase', 'nmem0']];

  test('v5 in a guest with security commands: the op refuses, nothing is flushed or erased', () => {
    const r = straight('v5-kvm-security', wl(erase));
    expect(r.failure).toBeNull();
    expect(r.counters['wbinvd-ignored'] ?? 0).toBe(0);
  });

  test('M-E5: the op skips has(); the WARN gate fires and no WBINVD is executed', () => {
    const r = straight('M-E5', wl(erase));
    expect(r.failure?.invariant).toBe('memregion/E-INV3-gating');
    expect(r.warnings[0]).toContain('WARN_ON_ONCE(!cpu_cache_has_invalidate_memregion())');
    expect(r.counters['wbinvd-ignored'] ?? 0).toBe(0);
  });

  test('M-E2: without the gate the WBINVD runs in the guest and KVM ignores it, silently', () => {
    const r = straight('M-E2', wl(erase));
    expect(r.failure?.invariant).toBe('memregion/E-INV3-gating');
    expect(r.warnings).toEqual([]);
    expect(r.counters['wbinvd-ignored']).toBeGreaterThan(0);
  });

  test('M-E1 in a TDX guest: WBINVD raises #VE and the kernel dies in ve_raise_fault', () => {
    const r = straight('M-E1-tdx', wl([['decommit']]));
    expect(r.failure?.invariant).toBe('kernel/BUG');
    expect(fns(r)).toContain('exc_virtualization_exception');
  });

  test('the !ARCH_HAS stub WARNs once and fails (M-E5 on x86-32)', () => {
    const r = straight('M-E5-x86-32', wl(erase, { cxlUp: false }));
    expect(r.failure?.invariant).toBe('memregion/E-INV3-gating');
    expect(r.warnings[0]).toContain('CPU cache invalidation required');
  });

  test('a module outside DEVMEM: v5 refuses to load it, v3 links it (E-INV4)', () => {
    expect(straight('mainline', wl([['modprobe']])).failure).toBeNull();
    expect(straight('v3-any-gpl-module', wl([['modprobe']])).failure?.invariant).toBe('memregion/E-INV4-scope');
  });
});

describe('commit_store() when the invalidation fails (a guest)', () => {
  const twice: MemregionWorkload = { ...wl([['decommit']]), tasks: [{ cpu: 0, ops: [['decommit']] }, { cpu: 1, ops: [['commit']] }] };

  test('mainline-kvm: -ENXIO, the lock is dropped, the region stays committed', () => {
    const r = straight('mainline-kvm', twice);
    expect(r.failure).toBeNull();
  });

  test('d1257d098a5a as merged: the task returns to user space holding cxl_region_rwsem', () => {
    const r = straight('d1257d098a5a-as-merged', twice);
    expect(['kernel/context-balance', 'kernel/progress']).toContain(r.failure?.invariant);
    expect(r.failure?.message).toContain('cxl_region_rwsem');
  });
});

describe('invariants that no catalogued bug trips fire on the states they forbid', () => {
  const v = findVariant(p, 'mainline');
  const world = () => createWorld(2, p.setup(wl([]), v, { cpus: 2 }).k as MemregionState);
  const inv = (name: string) => memregionInvariants.find((i) => i.name === `memregion/${name}`)!;
  const check = (name: string, w: ReturnType<typeof world>) => inv(name).check!(w, undefined as never, newGhost(2));

  test('E-INV5: an active region over an NDD_INCOHERENT DIMM', () => {
    const w = world();
    expect(check('E-INV5-incoherent-mark', w)).toBeFalsy();
    w.k.nvdimm.nmem1.NDD_INCOHERENT = true;
    expect(check('E-INV5-incoherent-mark', w)).toContain('region0 is active while nmem1 is NDD_INCOHERENT');
  });

  test('E-INV6: an active region over a DIMM being overwritten', () => {
    const w = world();
    w.k.hw.devices.nmem0.overwrite = 1;
    expect(check('E-INV6-in-flight', w)).toContain('region0 is active while nmem0 is being overwritten');
  });

  test('E-INV1: a load that returns a line of the device that decoded the address before', () => {
    const w = world();
    w.k.hw.lastLoad[1] = { addr: 'X0', got: { dev: 'mem0', epoch: 0 }, held: { dev: 'mem1', epoch: 0 } };
    expect(check('E-INV1-no-stale-load', w)).toContain('remapped to mem1');
  });
});
