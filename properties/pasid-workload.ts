/**
 * Workloads for the PASID protocol: a few processes (one mm each) whose threads bind the device,
 * submit, close, clone, fork, exec and exit; kernel threads borrowing an mm; interrupts using the
 * kernel FPU. The same environment for every variant: a variant differs only in kernel code.
 */
import * as fc from 'fast-check';
import type { UserOp } from './pasid-programs.js';

export interface PasidWorkload {
  /** one process each, with its own mm (mm i for task i) */
  tasks: { cpu: number; ops: UserOp[] }[];
  /** kthread_use_mm() workers: the mm of process `mm` */
  kthreads: { cpu: number; mm: number }[];
  /** interrupt handlers that use the FPU; a hardirq recurs `times` times */
  irqs: { cpu: number; kind: 'hardirq' | 'softirq'; times: number }[];
}

/** Snippets of what a process does; a bind is usually followed by a submission. */
const leaf = fc.oneof(
  { weight: 3, arbitrary: fc.constant<UserOp[]>([['open'], ['enqcmd']]) },
  { weight: 3, arbitrary: fc.constant<UserOp[]>([['enqcmd']]) },
  { weight: 2, arbitrary: fc.constant<UserOp[]>([['close']]) },
  { weight: 2, arbitrary: fc.constant<UserOp[]>([['crypto']]) },
  { weight: 1, arbitrary: fc.constant<UserOp[]>([['enqcmd-bad']]) },
  { weight: 1, arbitrary: fc.constant<UserOp[]>([['exec']]) },
);

function ops(maxLength: number, nested: boolean): fc.Arbitrary<UserOp[]> {
  const flat = (a: fc.Arbitrary<UserOp[][]>) => a.map((xs) => xs.flat().slice(0, maxLength));
  if (!nested) return flat(fc.array(leaf, { minLength: 1, maxLength }));
  const child = ops(3, false);
  const op = fc.oneof(
    { weight: 6, arbitrary: leaf },
    { weight: 1, arbitrary: child.map((c): UserOp[] => [['clone', c]]) },
    { weight: 1, arbitrary: child.map((c): UserOp[] => [['fork', c]]) },
  );
  return flat(fc.array(op, { minLength: 1, maxLength }));
}

export function pasidWorkload(o: { cpus: number; ops: number }): fc.Arbitrary<PasidWorkload> {
  const cpu = fc.nat({ max: o.cpus - 1 });
  return fc.record({
    tasks: fc.array(fc.record({ cpu, ops: ops(o.ops, true) }), { minLength: 1, maxLength: 3 }),
    kthreads: fc.array(fc.record({ cpu, mm: fc.nat({ max: 2 }) }), { maxLength: 1 }),
    irqs: fc.array(fc.record({ cpu, kind: fc.constantFrom<'hardirq' | 'softirq'>('hardirq', 'softirq'), times: fc.integer({ min: 1, max: 4 }) }), { maxLength: 2 }),
  });
}
