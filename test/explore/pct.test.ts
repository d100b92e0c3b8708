/**
 * Strategy canaries: tiny seeded bugs each strategy must find, with the probability bound in a
 * comment, and the guarantee check() reports.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.js';
import { execute } from '../../src/engine/engine.js';
import { pctBound, pctInput, PctStrategy } from '../../src/explore/pct.js';
import type { Strategy } from '../../src/engine/strategy.js';
import type { Protocol } from '../../src/protocol.js';
import { toyProtocol, type ToyExec } from '../helpers/toy.js';

type K = { freed: number; used: number; v: number };
const WORK = 20;

/**
 * Depth 1 (Burckhardt et al. 2010, Fig. 5 shape): A works WORK steps then frees an object, B
 * uses it once. The bug needs one ordering: B's use after A's free.
 */
const useAfterFree = toyProtocol<K>({
  name: 'canary-uaf',
  k: () => ({ freed: 0, used: 0, v: 0 }),
  tasks: () => [
    { name: 'A', cpu: 0, *run(x: ToyExec<K>) { for (let i = 0; i < WORK; i++) yield { fn: 'work', what: `step ${i}` }; yield { fn: 'free', what: 'kfree(obj)' }; x.w.k.freed = 1; } },
    { name: 'B', cpu: 1, *run(x: ToyExec<K>) { yield { fn: 'use', what: 'obj->field' }; x.w.k.used = x.w.k.freed ? 2 : 1; } },
  ],
  invariants: [{ name: 'canary-uaf/no-use-after-free', description: 'B never touches the object after A freed it', check: (w) => (w.k.used === 2 ? 'B used a freed object' : null) }],
}) as unknown as Protocol;

/**
 * Depth 2: a lost update. A works 10 steps then increments v non-atomically (read, write); B
 * does the same increment at once. The bug needs two orderings: B reads before A writes and
 * A reads before B writes.
 */
const lostUpdate = toyProtocol<K>({
  name: 'canary-lost-update',
  k: () => ({ freed: 0, used: 0, v: 0 }),
  tasks: () => [['A', 10], ['B', 0]].map(([name, pad], cpu) => ({
    name: name as string, cpu,
    *run(x: ToyExec<K>) {
      for (let i = 0; i < (pad as number); i++) yield { fn: 'work', what: `step ${i}` };
      yield { fn: 'inc', what: 'read v' };
      const seen = x.w.k.v;
      yield { fn: 'inc', what: 'write v' };
      x.w.k.v = seen + 1;
    },
  })),
  invariants: [{ name: 'canary-lost-update/count', description: 'v counts both increments', final: true, check: (w) => (w.k.v !== 2 ? `v = ${w.k.v}` : null) }],
}) as unknown as Protocol;


const exec = { cpus: 2, maxSteps: 200, maxPreemptions: Infinity, maxEnvSteps: 0, trace: false };
const RUNS = 1000;

/** A uniformly random walk: every decision picks each runnable choice with probability 1/n. */
class UniformWalk implements Strategy {
  constructor(private s: number) {}
  next(n: number): number {
    this.s = (Math.imul(this.s, 1103515245) + 12345) >>> 0;
    return (this.s >>> 16) % n;
  }
}

function hitRate(p: Protocol, make: (i: number) => Strategy): number {
  let hits = 0;
  for (let i = 0; i < RUNS; i++) if (execute(p, p.variants[0]!, null, make(i), exec).failure) hits++;
  return hits / RUNS;
}

/** PCT runs with inputs drawn by fast-check from a fixed seed. */
function pctRate(p: Protocol, depth: number, k: number): number {
  const inputs = fc.sample(pctInput(depth), { seed: 42, numRuns: RUNS });
  return hitRate(p, (i) => new PctStrategy(inputs[i]!, depth, k));
}

/** k as PctStrategy counts it: scheduling decisions of one run. */
function decisions(p: Protocol): number {
  const s = new PctStrategy({ priorities: [], seed: 0, changes: [] }, 1, 1);
  execute(p, p.variants[0]!, null, s, exec);
  return s.decisions;
}

describe('PCT canaries', () => {
  it('depth-1 ordering bug: PCT d=1 hits it with p >= 1/n = 1/2; a uniform walk needs all 21 decisions to go to A (2^-21)', () => {
    const pct = pctRate(useAfterFree, 1, decisions(useAfterFree));
    // binomial(1000, 1/2): 3 sigma below the bound is 0.45
    expect(pct).toBeGreaterThanOrEqual(0.45);
    expect(hitRate(useAfterFree, (i) => new UniformWalk(i + 1))).toBe(0);
  });

  it('depth-2 atomicity bug: PCT d=2 meets 1/(n·k); d=1 (no change point) never interleaves the increments', () => {
    const k = decisions(lostUpdate);
    const bound = pctBound(2, k, 2);
    expect(pctRate(lostUpdate, 2, k)).toBeGreaterThanOrEqual(bound);
    expect(pctRate(lostUpdate, 1, k)).toBe(0);
  });
});

/**
 * n threads on n CPUs, one step each; the bug: the last thread runs before all the others. It is
 * of depth 1 (one ordering: its step first), so PCT hits it when that thread draws the highest
 * priority and no change point lowers it first: about 1/n per run. Priorities drawn for the first
 * few entities only (all others sharing the lowest) made it unreachable past 10 threads.
 */
function lastFirst(n: number): Protocol {
  return toyProtocol<{ order: number[] }>({
    name: `canary-last-first-${n}`,
    k: () => ({ order: [] }),
    tasks: () => Array.from({ length: n }, (_, i) => ({
      name: `T${i}`, cpu: i,
      *run(x: ToyExec<{ order: number[] }>) { yield { fn: 'mark', what: `T${i}` }; x.w.k.order.push(i); },
    })),
    invariants: [{ name: `canary-last-first-${n}/order`, description: 'the last thread never runs first', check: (w) => (w.k.order[0] === n - 1 ? `T${n - 1} ran first` : null) }],
  }) as unknown as Protocol;
}

describe('PCT with more threads than drawn priorities', () => {

  it.each([11, 21])('%i threads: every depth finds the depth-1 bug, at about 1/n per run', (n) => {
    const p = lastFirst(n);
    const o = { ...exec, cpus: n };
    for (const depth of [1, 2, 3]) {
      const k = n;
      const inputs = fc.sample(pctInput(depth, 8), { seed: 5, numRuns: 2000 });
      let hits = 0;
      for (const input of inputs) if (execute(p, p.variants[0]!, null, new PctStrategy(input, depth, k), o).failure) hits++;
      // the bound for these n and k; 2000 runs put the observed rate well above half of it
      expect(hits / 2000, `depth ${depth}`).toBeGreaterThan(pctBound(n, k, depth) / 2);
    }
  });

  it('the guarantee a run reports names the n and k it was computed for', () => {
    const r = check({ protocol: lastFirst(11), strategy: 'pct', depth: 2, runs: 20, seed: 1, cpus: 11 });
    const g = r.stats.pct!;
    expect(g.n).toBe(11);
    expect(g.bound).toBeCloseTo(1 / (11 * g.k));
  });
});

describe('check() with strategies', () => {
  it('pct finds the depth-1 bug and shrinks it to B running after A', () => {
    const r = check({ protocol: useAfterFree, strategy: 'pct', depth: 1, runs: 200, seed: 3 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.invariant).toBe('canary-uaf/no-use-after-free');
    expect(r.stats.strategy).toBe('pct');
    // A runs to its end on the CPU that starts, then B: no choice away from the running CPU
    expect(r.preemptions).toBe(0);
    expect(r.steps).toBe(WORK + 2);
  });

  it('a green pct run states its guarantee: bound 1/(n·k^(d-1)) and confidence 1-(1-p)^N', () => {
    const r = check({ protocol: lostUpdate, strategy: 'pct', depth: 1, runs: 50, seed: 3 });
    expect(r.ok).toBe(true);
    const g = r.stats.pct!;
    expect(g).toMatchObject({ depth: 1, n: 2 });
    expect(g.bound).toBeCloseTo(1 / 2);
    expect(g.confidence).toBeCloseTo(1 - 0.5 ** 50);
  });

  it('dfs and bfs: a green run states what it proved; bfs finds the 4-step lost update', () => {
    const dfs = check({ protocol: useAfterFree, strategy: 'dfs', seed: 1, maxPreemptions: 0 });
    expect(dfs.ok).toBe(false);
    const bfs = check({ protocol: lostUpdate, strategy: 'bfs', seed: 1 });
    expect(bfs.ok).toBe(false);
    if (!bfs.ok) expect(bfs.steps).toBe(14);
    const fine = check({ protocol: lostUpdate, variant: 'default', strategy: 'dfs', seed: 1, maxStates: 5 });
    expect(fine.stats.exhaustive).toMatchObject({ kind: 'dfs', stoppedBy: 'max-states', completeWorkloads: 0 });
  });
});
