/**
 * kcheck prove on a toy whose workloads and interleavings can be counted: every workload of the
 * alphabet within the bounds, every interleaving within the preemption bound, iterative bounding,
 * determinism, an incomplete proof, and the peer models' state counts.
 */
import { describe, expect, test } from 'vitest';
import { replay } from '../../src/check/check.js';
import { prove } from '../../src/check/prove.js';
import { proofWorkloads } from '../../src/explore/prove.js';
import { snapshotDfs } from '../../src/explore/snapshot-dfs.js';
import type { Protocol } from '../../src/protocol.js';
import { k1Protocol } from '../../bench/peers/k1.js';
import { k2Protocol } from '../../bench/peers/k2.js';
import { toyProtocol, variant, type ToyExec } from '../helpers/toy.js';

type K = { v: number; want: number };
type Op = 'inc' | 'nop';
/** a workload: two tasks' programs, task i on CPU i mod cpus */
type W = Op[][];

/** v++ as a load and a store unless the variant makes it atomic; the final check counts increments. */
const counter = {
  ...toyProtocol<K, W>({
    name: 'toy-prove-counter',
    variants: [variant('atomic', false, { atomic: true }), variant('racy', true, { atomic: false }, 'toy-prove-counter/count')],
    k: (wl) => ({ v: 0, want: wl.flat().filter((o) => o === 'inc').length }),
    tasks: (wl, v) => wl.map((ops, i) => ({
      name: `T${i}`, cpu: i,
      *run(x: ToyExec<K>) {
        for (const op of ops) {
          if (op === 'nop') { yield { fn: 'nop', what: 'nop' }; continue; }
          if ((v.config as { atomic: boolean }).atomic) { yield { fn: 'inc', what: 'v++' }; x.w.k.v++; continue; }
          yield { fn: 'inc', what: 'tmp = v' };
          const tmp = x.w.k.v;
          yield { fn: 'inc', what: 'v = tmp + 1' };
          x.w.k.v = tmp + 1;
        }
      },
    })),
    invariants: [{ name: 'toy-prove-counter/count', description: 'v counts every increment', final: true, check: (w) => (w.k.v !== w.k.want ? `v = ${w.k.v}, want ${w.k.want}` : null) }],
  }),
  /** every pair of programs of 1..ops operations from {inc, nop} */
  enumerate: ({ ops }: { ops: number }) => {
    const programs: Op[][] = [];
    const grow = (p: Op[]) => { if (p.length) programs.push(p); if (p.length < ops) for (const o of ['inc', 'nop'] as Op[]) grow([...p, o]); };
    grow([]);
    return programs.flatMap((a) => programs.map((b) => [a, b]));
  },
} as unknown as Protocol;

describe('kcheck prove', () => {

  test('the workloads are every pair of programs of ≤ ops operations: (2 + 4)^2 = 36 for 2 ops', () => {
    expect(proofWorkloads(counter, counter.variants[0]!, { cpus: 2, ops: 2, params: {} })).toHaveLength(36);
    expect(proofWorkloads(counter, counter.variants[0]!, { cpus: 2, ops: 2, params: {}, shard: { index: 2, count: 3 } }).map((w) => w.index)).toEqual([1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 34]);
  });

  test('the atomic variant is proved for all 36 workloads; the report states what was covered', async () => {
    const r = await prove({ protocol: counter, variant: 'atomic', cpus: 2, ops: 2, preemptionBound: 2 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.incomplete).toBeUndefined();
    expect(r.stats).toMatchObject({ workloads: 36, bound: 2, completeWorkloads: 36, search: 'replay' });
    expect(r.stats.states).toBeGreaterThan(36);
  });

  test('the racy variant fails with two increments on two CPUs, shrunk and replayable', async () => {
    const r = await prove({ protocol: counter, variant: 'racy', cpus: 2, ops: 2, preemptionBound: 2 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.invariant).toBe('toy-prove-counter/count');
    expect(r.scenario.workload).toEqual([['inc'], ['inc']]);
    expect(r.steps).toBe(4);
  });

  test('iterative bounding: on one CPU the race needs a preemption: bound 0 is proved, bound 1 fails', async () => {
    // (both tasks on cpu0: the second runs only when the first is switched away from)
    const one = async (preemptionBound: number, iterative: boolean) => prove({ protocol: counter, variant: 'racy', cpus: 1, ops: 2, preemptionBound, iterative });
    const zero = await one(0, false);
    expect(zero.ok).toBe(true);
    const it = await one(3, true);
    expect(it.ok).toBe(false);
    if (!it.ok) expect(it.bound).toBe(1);
  });

  test('delay bounding: with no delay the deterministic schedule holds; one delay finds the race, replayably', async () => {
    const none = await prove({ protocol: counter, variant: 'racy', cpus: 2, ops: 2, delayBound: 0 });
    expect(none.ok).toBe(true);
    const one = await prove({ protocol: counter, variant: 'racy', cpus: 2, ops: 2, delayBound: 1 });
    expect(one.ok).toBe(false);
    if (one.ok) return;
    expect(one.scenario.maxDelays).toBe(1);
    const again = replay(one.token, { protocol: counter });
    expect(again.ok).toBe(false);
  });

  test('deterministic: the same bounds give the same states, transitions and executions', async () => {
    const a = await prove({ protocol: counter, variant: 'atomic', cpus: 2, ops: 2 });
    const b = await prove({ protocol: counter, variant: 'atomic', cpus: 2, ops: 2 });
    const pick = (r: typeof a) => [r.stats.states, r.stats.transitions, r.stats.executions, r.stats.steps];
    expect(pick(a)).toEqual(pick(b));
  });

  test('with DPOR (no preemption bound): the atomic variant proved with fewer executions than interleavings, the racy one caught', async () => {
    const ok = await prove({ protocol: counter, variant: 'atomic', cpus: 2, ops: 2, reduction: 'dpor' });
    expect(ok.ok).toBe(true);
    expect(ok.stats.search).toBe('dpor');
    expect(ok.stats.traces).toBeGreaterThanOrEqual(36);
    expect(ok.stats.preemptionBound).toBe(Infinity);
    const bad = await prove({ protocol: counter, variant: 'racy', cpus: 2, ops: 2, reduction: 'dpor' });
    expect(bad.ok).toBe(false);
    await expect(prove({ protocol: counter, variant: 'atomic', reduction: 'dpor', preemptionBound: 1 })).rejects.toThrow(/takes no preemption or delay bound/);
  });

  test('a proof stopped by the state budget is incomplete and says how far it got', async () => {
    const r = await prove({ protocol: counter, variant: 'atomic', cpus: 2, ops: 2, maxStates: 3 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.incomplete).toMatch(/stopped by --max-states \(3 states per workload\) at bound 2 with \d+ of 36 workloads done/);
    expect(r.stats.bound).toBeNull();
  });
});

describe('the SPIN peer models (bench/peers), searched by saving and restoring states', () => {
  const exec = (cpus: number) => ({ cpus, maxSteps: 100_000, maxPreemptions: Infinity, maxEnvSteps: Infinity, trace: false });
  // SPIN 6.5 stores 72 and 2,760 states for K1 (N=2 M=1, N=3 M=2): the same model plus its
  // final_check process, and context switches after every thread ended, which kcheck does not run
  test.each([[2, 1, 64], [3, 2, 2744]])('K1 N=%i M=%i: %i states, complete', (n, m, states) => {
    const r = snapshotDfs(k1Protocol, k1Protocol.variants[0]!, { n, m }, { exec: exec(n), maxStates: 1e6 });
    expect(r).toMatchObject({ states, complete: true, failure: null });
  });

  test('K1 buggy: the lost update breaks I1', () => {
    const r = snapshotDfs(k1Protocol, k1Protocol.variants[1]!, { n: 2, m: 1 }, { exec: exec(2), maxStates: 1e6 });
    expect(r.failure?.failure?.invariant).toBe('peer-k1/I1-count');
  });

  test('K2: correct proved, buggy caught by J2', () => {
    const ok = snapshotDfs(k2Protocol, k2Protocol.variants[0]!, { n: 2, m: 1 }, { exec: exec(3), maxStates: 1e6 });
    expect(ok).toMatchObject({ states: 136, complete: true, failure: null });
    const bad = snapshotDfs(k2Protocol, k2Protocol.variants[1]!, { n: 2, m: 1 }, { exec: exec(3), maxStates: 1e6 });
    expect(bad.failure?.failure?.invariant).toBe('peer-k2/J2-no-segv');
  });
});
