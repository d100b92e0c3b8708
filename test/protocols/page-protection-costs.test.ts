/**
 * Cost counters on fixed single-task workloads: WRMSRs (the per-CPU cache skips unchanged
 * values), PK faults, IPIs of the forced global restrict; the comparison the seed threads make
 * ("a WRMSR per kmap", IPIs to every CPU).
 */
import { describe, expect, test } from 'vitest';
import { execute } from '../../src/engine/engine.js';
import { RandomStrategy } from '../../src/explore/random.js';
import { findProtocol, findVariant } from '../../src/protocols.js';
import type { PpOp } from '../../src/kernel/mm/pks-callers.js';
import type { PpWorkload } from '../../properties/page-protection-workload.js';

const protocol = findProtocol('page-protection');
function costs(variant: string, ops: PpOp[], cpus = 2): Record<string, number> {
  const wl: PpWorkload = { isolated: false, tasks: [{ cpu: 0, tif: false, ops }], irqs: [] };
  const r = execute(protocol, findVariant(protocol, variant), wl, new RandomStrategy([]), { cpus, maxSteps: 500, maxPreemptions: 0, trace: false });
  expect(r.failure).toBeNull();
  return r.counters;
}

describe('cost counters', () => {
  test('V10: a kmap_local section costs two WRMSRs (grant, revoke), nested sections none more', () => {
    expect(costs('V10', [['local', 0], ['write', 0], ['unlocal', 0]])).toMatchObject({ wrmsr: 2, ops: 3 });
    expect(costs('V10', [['local', 0], ['local', 1], ['write', 1], ['unlocal', 1], ['unlocal', 0]]).wrmsr).toBe(2);
  });

  test('V10: a stray write costs a PK fault and an oops, no WRMSR (entry writes the value already cached)', () => {
    expect(costs('V10', [['stray', 0]])).toMatchObject({ pk_fault: 1, oops: 1 });
    expect(costs('V10', [['stray', 0]]).wrmsr).toBeUndefined();
  });

  test('V-TGLX RELAXED: kmap() costs no WRMSR; the first write faults once and the #PF exit opens the key', () => {
    expect(costs('V-TGLX-relaxed', [['kmap', 0], ['write', 0], ['write', 0], ['kunmap', 0]])).toMatchObject({ pk_fault: 1, wrmsr: 2 });
  });

  test('V-GLOBAL: the lazy restrict sends no IPI; the forced one IPIs every other CPU', () => {
    const section: PpOp[] = [['kmap', 0], ['write', 0], ['kunmap', 0]];
    expect(costs('V-GLOBAL', section).ipi).toBeUndefined();
    expect(costs('V-GLOBAL-ipi-every-cpu', section, 2).ipi).toBe(1);
    expect(costs('V-GLOBAL-ipi-every-cpu', section, 4).ipi).toBe(3);
  });
});
