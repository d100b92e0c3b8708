/**
 * Every PASID workload within proof bounds, each once, smallest first (what `kcheck prove`
 * explores with every interleaving). The alphabet is small and meaningful: the six leaf
 * operations, clone/fork of a non-empty child program, a SIGSEGV handler per process, one FPU
 * interrupt (hardirq or softirq) and one kernel thread borrowing process A's mm. Size counts every
 * operation, every program of the environment and every handler; programs hold at most `ops`
 * operations, at most two processes run, children nest `nesting` deep (default 1).
 */
import type { ProofBounds } from '../src/protocol.js';
import type { UserOp } from './pasid-programs.js';
import type { PasidWorkload } from './pasid-workload.js';

const LEAVES: UserOp[] = [['open'], ['enqcmd'], ['close'], ['exec'], ['crypto'], ['enqcmd-bad']];

/** Every program of total size n (a clone/fork counts one plus its child) with at most `len` top-level operations. */
function* programs(n: number, len: number, depth: number): Generator<UserOp[]> {
  if (n === 0) {
    yield [];
    return;
  }
  if (len === 0) return;
  for (let first = 1; first <= n; first++) {
    for (const head of operations(first, len, depth)) {
      for (const rest of programs(n - first, len - 1, depth)) yield [head, ...rest];
    }
  }
}

function* operations(size: number, len: number, depth: number): Generator<UserOp> {
  if (size === 1) yield* LEAVES;
  if (depth === 0 || size < 2) return;
  for (const child of programs(size - 1, len, depth - 1)) {
    yield ['clone', child];
    yield ['fork', child];
  }
}

/** Ways to write n as an ordered sum of `parts` positive sizes. */
function* splits(n: number, parts: number): Generator<number[]> {
  if (parts === 1) {
    if (n >= 1) yield [n];
    return;
  }
  for (let first = 1; first <= n - parts + 1; first++) for (const rest of splits(n - first, parts - 1)) yield [first, ...rest];
}

const range = (fixed: number | undefined, min: number, max: number) => (fixed === undefined ? Array.from({ length: max - min + 1 }, (_, i) => min + i) : [fixed]);

export function* enumeratePasid<C>(b: ProofBounds<C>): Generator<PasidWorkload> {
  const p = b.params ?? {};
  const depth = p['nesting'] ?? 1;
  const pasids = p['pasids'] ?? 2;
  const processCounts = range(p['processes'], 1, Math.min(2, b.cpus));
  const irqCounts = range(p['irqs'], 0, 1);
  const kthreadCounts = range(p['kthreads'], 0, 1);
  const handlers = p['handlers'] === undefined ? [false, true] : [p['handlers'] === 1];
  // the largest workload: every program full, nested children full, every environment program
  const perProgram = b.ops * (depth + 1) + 1;
  const largest = Math.max(...processCounts) * perProgram + Math.max(...irqCounts) + Math.max(...kthreadCounts);
  for (let size = 1; size <= largest; size++) {
    for (const procs of processCounts) {
      for (const irqs of irqCounts) {
        for (const kthreads of kthreadCounts) {
          const user = size - irqs - kthreads;
          if (user < procs) continue;
          for (const irqKind of irqs ? (['hardirq', 'softirq'] as const) : ([undefined] as const)) {
            for (const sizes of splits(user, procs)) yield* withPrograms(sizes, { b, depth, pasids, handlers, irqKind, kthreads });
          }
        }
      }
    }
  }
}

interface Shape {
  b: { cpus: number; ops: number };
  depth: number;
  pasids: number;
  handlers: boolean[];
  irqKind: 'hardirq' | 'softirq' | undefined;
  kthreads: number;
}

/** Every assignment of programs (and handlers, which count one) to processes of the given sizes. */
function* withPrograms(sizes: number[], s: Shape, done: PasidWorkload['tasks'] = []): Generator<PasidWorkload> {
  const i = done.length;
  if (i === sizes.length) {
    yield {
      tasks: done,
      kthreads: s.kthreads ? [{ cpu: s.b.cpus - 1, mm: 0 }] : [],
      irqs: s.irqKind ? [{ cpu: 0, kind: s.irqKind, times: 1 }] : [],
      pasids: s.pasids,
    };
    return;
  }
  for (const handler of s.handlers) {
    const n = sizes[i]! - (handler ? 1 : 0);
    if (n < 1) continue;
    for (const ops of programs(n, s.b.ops, s.depth)) yield* withPrograms(sizes, s, [...done, { cpu: i % s.b.cpus, ops, ...(handler ? { handler } : {}) }]);
  }
}
