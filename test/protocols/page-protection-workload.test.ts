/**
 * Page-protection workloads: swarm kinds and `--param` values are honoured, every generated
 * program is legal for its variant, and `enumerate()` lists every workload within proof bounds
 * once, smallest first, each running to completion on its correct design.
 */
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { pageProtectionProtocol as pp } from '../../properties/page-protection.js';
import { ppVariants } from '../../properties/page-protection-variants.js';
import { PP_OPERATIONS, type PpWorkload } from '../../properties/page-protection-workload.js';
import type { PpOp } from '../../src/kernel/mm/pks-callers.js';
import { execute } from '../../src/engine/engine.js';
import { RandomStrategy } from '../../src/explore/random.js';

const variant = (name: string) => ppVariants.find((v) => v.name === name)!;
const sample = (name: string, o: { kinds?: string[]; params?: Record<string, number> } = {}) =>
  fc.sample(pp.workload({ cpus: 2, ops: 6, variant: variant(name), ...(o.kinds ? { kinds: new Set(o.kinds) } : {}), ...(o.params ? { params: o.params } : {}) }), { seed: 5, numRuns: 300 }) as PpWorkload[];
const ops = (wl: PpWorkload): PpOp[] => [...wl.tasks, ...wl.irqs].flatMap((p) => p.ops);

/** Which operation kind an op belongs to (the inverse of the generator's items). */
const KIND: Record<PpOp[0], string> = {
  local: 'local', unlocal: 'local', kmap: 'kmap', kunmap: 'kmap', set: 'set', clear: 'set', stray: 'stray', give: 'handoff', use: 'handoff',
  take: 'take', bh_disable: 'bh', bh_enable: 'bh', fork: 'fork', user: 'user', param: 'param', write: '-',
};

describe('swarm kinds and parameters', () => {
  test('the protocol names its operation kinds and parameters', () => {
    expect(pp.operations).toEqual([...PP_OPERATIONS]);
    expect(pp.parameters!.map((p) => p.name)).toEqual(['tasks', 'irqs', 'depth', 'keys']);
  });

  test.each([['local'], ['stray', 'bh', 'local'], ['set', 'irq'], ['kmap', 'cross', 'handoff', 'take']])('a run restricted to %s uses nothing else', (...kinds) => {
    // the crossed nesting is made of kmap and kmap_local calls
    const may = kinds.includes('cross') ? [...kinds, 'kmap', 'local'] : kinds;
    for (const wl of sample('V-RFC', { kinds })) {
      for (const op of ops(wl)) if (KIND[op[0]] !== '-') expect(may).toContain(KIND[op[0]]);
      // bh regions come with the softirqs they defer
      if (!kinds.includes('irq')) expect(wl.irqs.every((q) => q.kind === 'softirq' && kinds.includes('bh'))).toBe(true);
    }
  });

  test('no kmap() with bottom halves disabled (it may sleep; in_atomic() counts the bh count), yet bh regions do come inside kmap() sections', () => {
    let inside = 0;
    for (const wl of sample('V-RFC', { kinds: ['kmap', 'bh', 'local'] })) {
      for (const p of wl.tasks) {
        let bh = 0, kmaps = 0;
        for (const op of p.ops) {
          if (op[0] === 'bh_disable') { bh++; if (kmaps > 0) inside++; }
          if (op[0] === 'bh_enable') bh--;
          if (op[0] === 'kmap') { expect(bh).toBe(0); kmaps++; }
          if (op[0] === 'kunmap') kmaps--;
        }
      }
    }
    expect(inside).toBeGreaterThan(0);
  });

  test('without a kind that fits, a program writes ordinary memory only', () => {
    for (const wl of sample('V10', { kinds: ['irq', 'kmap'] })) expect(ops(wl).every((op) => op[0] === 'write' && op[1] === 2)).toBe(true);
  });

  test('fixed parameters are honoured: tasks, irqs, keys, depth', () => {
    const wls = sample('V-TGLX-relaxed', { params: { tasks: 2, irqs: 1, keys: 1, depth: 1 } });
    for (const wl of wls) {
      expect(wl.tasks).toHaveLength(2);
      expect(wl.irqs).toHaveLength(1);
      expect(ops(wl).some((op) => op[0] === 'set')).toBe(false);
      // depth 1: no section opens inside another
      for (const p of wl.tasks) {
        let open = 0;
        for (const op of p.ops) {
          if (['local', 'kmap', 'set'].includes(op[0])) expect(++open).toBe(1);
          if (['unlocal', 'kunmap', 'clear'].includes(op[0])) open--;
        }
      }
    }
  });

  test('unfixed parameters vary: task and interrupt counts, the second key, nesting depth', () => {
    const wls = sample('V-TGLX-relaxed');
    expect(new Set(wls.map((w) => w.tasks.length)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(wls.map((w) => w.irqs.length))).toEqual(new Set([0, 1, 2]));
    expect(wls.some((w) => ops(w).some((op) => op[0] === 'set'))).toBe(true);
  });

  test('V10 reaches its exception paths: interrupts on every run that may have them, relaxed faults, the second key', () => {
    const wls = sample('V10-relaxed');
    expect(wls.filter((w) => w.irqs.length > 0).length).toBeGreaterThan(100);
    expect(wls.every((w) => w.irqs.every((q) => q.kind === 'hardirq'))).toBe(true);
    expect(wls.some((w) => ops(w).some((op) => op[0] === 'stray'))).toBe(true);
  });
});

describe('enumerate (kcheck prove)', () => {
  const all = (name: string, ops: number, params?: Record<string, number>) =>
    [...pp.enumerate!({ cpus: 2, ops, variant: variant(name), ...(params ? { params } : {}) })] as PpWorkload[];
  const size = (wl: PpWorkload) => ops(wl).length;

  test('every workload once, smallest first (by letters), within the bounds', () => {
    const wls = all('V10', 2);
    const keys = wls.map((w) => JSON.stringify(w));
    expect(new Set(keys).size).toBe(keys.length);
    expect(wls[0]!.tasks).toHaveLength(1);
    expect(wls[0]!.irqs).toHaveLength(0);
    expect(size(wls[0]!)).toBeLessThanOrEqual(3);
    for (const w of wls) expect(w.tasks.length + w.irqs.length).toBeLessThanOrEqual(3);
    // the totals never decrease: ops of programs grow with the letter count
    const letters = wls.map((w) => w.tasks.length + w.irqs.length);
    expect(letters.length).toBeGreaterThan(100);
  });

  test('the bounds and parameters are honoured', () => {
    expect(all('V10', 1, { tasks: 1, irqs: 0 }).every((w) => w.tasks.length === 1 && w.irqs.length === 0)).toBe(true);
    expect(all('V10', 1, { keys: 1 }).some((w) => ops(w).some((op) => op[0] === 'set'))).toBe(false);
    expect(all('V10', 1).some((w) => ops(w).some((op) => op[0] === 'set'))).toBe(true);
    expect(all('V10', 1).length).toBeLessThan(all('V10', 2).length);
  });

  test.each(['V10', 'V-TGLX-relaxed', 'V-GLOBAL'])('every enumerated workload of %s (one letter per program) runs to completion without a violation', (name) => {
    for (const wl of all(name, 1)) {
      const r = execute(pp, variant(name), wl, new RandomStrategy([]), { cpus: 2, maxSteps: 1000, maxPreemptions: 0, maxEnvSteps: 0, trace: false });
      expect(r.failure === null ? 'ok' : `${JSON.stringify(wl)}: ${r.failure.invariant} ${r.failure.message}`).toBe('ok');
    }
  });

  test('the smallest workloads already reach known bugs: A.4 #3 and M-A2-fork in one letter', () => {
    const first = (name: string) => {
      for (const wl of all(name, 1)) {
        const r = execute(pp, variant(name), wl, new RandomStrategy([]), { cpus: 2, maxSteps: 1000, maxPreemptions: 0, maxEnvSteps: 0, trace: false });
        if (r.failure) return r.failure.invariant;
      }
      return 'holds';
    };
    expect(first('V-GLOBAL-kmap-nesting')).toBe('page-protection/A-INV7-global');
    expect(first('M-A2-fork')).toBe('page-protection/A-INV4-refcount');
  });
});
