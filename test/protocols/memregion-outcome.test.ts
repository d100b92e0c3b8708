/**
 * memregion/outcome: an administrator operation that nothing may legitimately make fail succeeds
 * and has its effect. Straight-line administrator cycles of the correct designs keep it (each
 * has operations the invariant makes a claim about: nothing else runs, the devices are idle); on hand-built records of the real
 * boot state it fires on an operation that failed or did nothing, and makes no claim where the
 * kernel may refuse (a race, an overwrite running, a DIMM in use, no has()).
 */
import { describe, expect, test } from 'vitest';
import { execute } from '../../src/engine/engine.js';
import { newGhost } from '../../src/engine/ghost.js';
import { RandomStrategy } from '../../src/explore/random.js';
import { findProtocol, findVariant } from '../../src/protocols.js';
import { createWorld } from '../../src/sim/world.js';
import { memregionInvariants } from '../../properties/memregion-invariants.js';
import { outcomeViolation } from '../../properties/memregion-outcome.js';
import { view, type Op } from '../../properties/memregion-programs.js';
import type { MemregionWorkload } from '../../properties/memregion-workload.js';
import { EBUSY, ENXIO, type AdminRecord, type AdminView, type MemregionState } from '../../src/kernel/mm/memregion-types.js';

const p = findProtocol('memregion');
const boot = { locked: false, cxlUp: false, ram: false, polls: 1 };
const outcome = memregionInvariants.find((i) => i.name === 'memregion/outcome')!;

describe('straight-line administrator cycles of the correct designs keep their claims', () => {
  test.each([
    ['mainline', [['disable'], ['erase', 'nmem0'], ['overwrite', 'nmem1'], ['enable'], ['enable']]],
    ['mainline', [['attach', 'mem1'], ['commit'], ['bind'], ['unbind'], ['bind'], ['decommit'], ['attach', 'mem0'], ['commit']]],
    ['mainline-kvm', [['unbind'], ['bind']]],
    ['v5', [['disable'], ['erase', 'nmem1'], ['enable']]],
  ] as [string, Op[]][])('%s: %j', (variant, ops) => {
    const wl: MemregionWorkload = { ...boot, cxlUp: variant.startsWith('mainline'), tasks: [{ cpu: 0, ops }] };
    const r = execute(p, findVariant(p, variant), wl, new RandomStrategy([]), { cpus: 2, maxSteps: 2000, maxPreemptions: 0, maxEnvSteps: 0 });
    expect(r.failure).toBeNull();
  });
});

describe('memregion/outcome on hand-built records', () => {
  const world = (variant: string, o: Partial<MemregionWorkload> = {}) =>
    createWorld(2, p.setup({ ...boot, tasks: [], ...o }, findVariant(p, variant), { cpus: 2 }).k as MemregionState);
  /** a completed record of `op` from the world's state, the effect made by `effect` on a copy */
  const record = (k: MemregionState, op: string[], rc: number, effect: (a: AdminView) => void, raced = false): AdminRecord => {
    const after = view(k);
    effect(after);
    return { op, raced, before: view(k), rc, after };
  };
  const verdict = (w: ReturnType<typeof world>, r: AdminRecord) => {
    w.k.admin = { A: [r] };
    return outcome.check!(w, undefined as never, newGhost(2));
  };

  test('a commit of a configured region on bare metal must commit it and decode its target', () => {
    const w = world('mainline');
    w.k.cxlr!.target = 'mem1';
    w.k.cxlr!.state = 'CXL_CONFIG_ACTIVE';
    const committed = (a: AdminView) => { a.cxlr!.state = 'CXL_CONFIG_COMMIT'; a.decodeX = 'mem1'; };
    expect(verdict(w, record(w.k, ['commit'], 0, committed))).toBeFalsy();
    expect(verdict(w, record(w.k, ['commit'], 0, () => {}))).toBe('A: commit returned 0 but the region is CXL_CONFIG_ACTIVE, not committed');
    expect(verdict(w, record(w.k, ['commit'], ENXIO, () => {}))).toBe('A: commit failed with -6');
    // another task's operation overlapped it: no claim
    expect(verdict(w, record(w.k, ['commit'], ENXIO, () => {}, true))).toBeFalsy();
  });

  test('in a KVM guest a commit may fail (-ENXIO: has() is false), a bind of a committed region may not', () => {
    const w = world('mainline-kvm', { cxlUp: true });
    w.k.cxlr!.bound = false;
    expect(verdict(w, record(w.k, ['bind'], ENXIO, () => {}))).toBe('A: bind failed with -6');
    expect(verdict(w, record(w.k, ['bind'], 0, (a) => { a.cxlr!.bound = true; }))).toBeFalsy();
    w.k.cxlr!.state = 'CXL_CONFIG_ACTIVE';
    expect(verdict(w, record(w.k, ['commit'], ENXIO, () => {}))).toBeFalsy();
  });

  test('an erase of an idle DIMM must change its media; of a DIMM in use (-EBUSY) nothing is claimed', () => {
    const w = world('mainline');
    expect(w.k.nvdimm.nmem0.busy).toBe(1); // region0 is active over it
    expect(verdict(w, record(w.k, ['erase', 'nmem0'], EBUSY, () => {}))).toBeFalsy();
    w.k.nvdimm.nmem0.busy = 0;
    expect(verdict(w, record(w.k, ['erase', 'nmem0'], EBUSY, () => {}))).toBe('A: erase nmem0 failed with -16');
    expect(verdict(w, record(w.k, ['erase', 'nmem0'], 0, () => {}))).toBe("A: erase nmem0 returned 0 but nmem0's media was not changed");
    expect(verdict(w, record(w.k, ['erase', 'nmem0'], 0, (a) => { a.devices.nmem0.epoch++; }))).toBeFalsy();
    // an overwrite still running makes the erase fail by design
    w.k.nvdimm.nmem0.NDD_SECURITY_OVERWRITE = true;
    expect(verdict(w, record(w.k, ['erase', 'nmem0'], EBUSY, () => {}))).toBeFalsy();
  });

  test('a DIMM probe must unlock a locked DIMM, unless v5\'s op refuses without has()', () => {
    const metal = world('v5', { locked: true });
    expect(metal.k.hw.devices.nmem0.locked).toBe(true);
    expect(verdict(metal, record(metal.k, ['unlock', 'nmem0'], ENXIO, () => {}))).toBe('A: unlock nmem0 failed with -6');
    const guest = world('v5-kvm-security', { locked: true });
    expect(verdict(guest, record(guest.k, ['unlock', 'nmem0'], ENXIO, () => {}))).toBeFalsy();
  });

  test('an operation still in flight is not judged', () => {
    const w = world('mainline');
    w.k.nvdimm.nmem0.busy = 0;
    expect(outcomeViolation({ ...record(w.k, ['erase', 'nmem0'], 0, () => {}), rc: null, after: null }, w.k)).toBeUndefined();
  });
});
