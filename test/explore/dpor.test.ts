/**
 * Dynamic partial-order reduction: the number of executions on toys with a known number of
 * Mazurkiewicz traces, and, on random small programs, the same final states and the same verdict
 * as the unreduced search (a fast-check property).
 */
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { dfs } from '../../src/explore/dfs.js';
import { dpor } from '../../src/explore/dpor.js';
import type { Invariant, Protocol } from '../../src/protocol.js';
import { toyProtocol, type ToyExec } from '../helpers/toy.js';

type K = Record<string, number>;
/** an operation of a thread: read, write or increment (load then store) variable x<var> */
type Op = { kind: 'read' | 'write' | 'inc'; v: number };

function program(threads: Op[][], invariants: Invariant<K>[] = []): Protocol {
  return toyProtocol<K>({
    name: 'toy-dpor',
    k: () => ({ x0: 0, x1: 0 }),
    tasks: () => threads.map((ops, t) => ({
      name: `T${t}`, cpu: t,
      *run(x: ToyExec<K>) {
        for (const [i, op] of ops.entries()) {
          const v = `x${op.v}`;
          yield { fn: op.kind, what: `${op.kind} ${v} (#${i})` };
          if (op.kind === 'read') x.w.k[`r${t}`] = (x.w.k[`r${t}`] ?? 0) * 3 + x.w.k[v]!; // what T<t> read shows in the final state
          else if (op.kind === 'write') x.w.k[v] = t + 1;
          else {
            const seen = x.w.k[v]!;
            yield { fn: 'inc', what: `store ${v}` };
            x.w.k[v] = seen + 1;
          }
        }
      },
    })),
    invariants,
  }) as unknown as Protocol;
}

const opts = (cpus: number) => ({ exec: { cpus, maxSteps: 1000, maxPreemptions: Infinity, maxEnvSteps: 0, trace: false }, maxStates: 1e6 });
const traces = (threads: Op[][]) => {
  const p = program(threads);
  return dpor(p, p.variants[0]!, null, opts(threads.length));
};
const w = (v: number): Op => ({ kind: 'write', v });
const r = (v: number): Op => ({ kind: 'read', v });

describe('DPOR explores one execution per Mazurkiewicz trace on these toys', () => {
  test('two writers of different variables: 1 trace (instead of 2 interleavings)', () => {
    expect(traces([[w(0)], [w(1)]])).toMatchObject({ traces: 1, complete: true, blocked: 0 });
  });
  test('two writers of one variable: 2 traces', () => {
    expect(traces([[w(0)], [w(0)]])).toMatchObject({ traces: 2, complete: true });
  });
  test('three writers of one variable: 3! = 6 traces', () => {
    expect(traces([[w(0)], [w(0)], [w(0)]])).toMatchObject({ traces: 6, complete: true });
  });
  test('two readers of one variable: 1 trace (reads commute)', () => {
    expect(traces([[r(0)], [r(0)]])).toMatchObject({ traces: 1, complete: true });
  });
  test('two threads, each writing its own variable twice then reading the other\'s: 5 traces of 20 interleavings', () => {
    // T0: a1 a2 (w x0), a3 (r x1); T1: b1 b2 (w x1), b3 (r x0). A trace is fixed by where each
    // read falls among the other thread's writes (before, between, after: 3 × 3), but a read
    // before or between the other's writes forces the other's read after both of its own
    // thread's writes: (a3 < b2, b3 > a2), (b3 < a2, a3 > b2) and (a3 > b2, b3 > a2): 2 + 2 + 1
    const t = traces([[w(0), w(0), r(1)], [w(1), w(1), r(0)]]);
    expect(t).toMatchObject({ traces: 5, complete: true });
  });
});

const op: fc.Arbitrary<Op> = fc.record({ kind: fc.constantFrom<Op['kind']>('read', 'write', 'inc'), v: fc.nat({ max: 1 }) });
const threadsArb = fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 3 });

/** Final states (the variables and what was read), collected by a final "invariant", and the verdict of x0 < 3. */
function explore(threads: Op[][], search: 'dpor' | 'all') {
  const finals = new Set<string>();
  const invs: Invariant<K>[] = [
    { name: 'toy-dpor/collect', description: 'collects final states', final: true, check: (world) => { finals.add(JSON.stringify(Object.entries(world.k).sort())); return null; } },
    { name: 'toy-dpor/x0-below-3', description: 'x0 < 3', check: (world) => (world.k.x0! >= 3 ? 'x0 reached 3' : null) },
  ];
  const p = program(threads, invs);
  const o = opts(threads.length);
  const res = search === 'dpor' ? dpor(p, p.variants[0]!, null, o) : dfs(p, p.variants[0]!, null, { ...o, cache: false, reduction: false });
  return { finals, failed: res.failure !== null, executions: res.executions };
}

describe('DPOR against the unreduced search', () => {
  test('same final states and the same verdict on random programs of 2-3 threads', () => {
    fc.assert(fc.property(threadsArb, (threads) => {
      const all = explore(threads, 'all');
      const red = explore(threads, 'dpor');
      expect(red.failed).toBe(all.failed);
      if (!all.failed) expect([...red.finals].sort()).toEqual([...all.finals].sort());
      expect(red.executions).toBeLessThanOrEqual(all.executions);
    }), { numRuns: 150, seed: 42 });
  });
});
