/**
 * Workloads for the PASID protocol: a few processes (one mm each) whose threads bind the device,
 * submit, close, clone, fork, exec and exit, some surviving SIGSEGV in a handler; kernel threads
 * borrowing an mm; interrupts using the kernel FPU. The same environment for every variant: a
 * variant differs only in kernel code. Parameters (`--param`) fix what the generator otherwise
 * varies; operation kinds (swarm testing) restrict what it may use.
 */
import * as fc from 'fast-check';
import type { Parameter, WorkloadOptions } from '../src/protocol.js';
import type { UserOp } from './pasid-programs.js';

export interface PasidWorkload {
  /** one process each, with its own mm (mm i for task i); `handler`: SIGSEGV is caught and survived */
  tasks: { cpu: number; ops: UserOp[]; handler?: boolean }[];
  /** kthread_use_mm() workers: the mm of process `mm` */
  kthreads: { cpu: number; mm: number }[];
  /** interrupt handlers that use the FPU; a hardirq recurs `times` times */
  irqs: { cpu: number; kind: 'hardirq' | 'softirq'; times: number }[];
  /** PASIDs in the IOASID space [1, 1 + pasids) (default 2): few, so a freed one is soon reused */
  pasids?: number;
}

/** The operation kinds of a workload, for swarm testing: user operations and environment programs. */
export const OPERATIONS = ['open', 'close', 'enqcmd', 'enqcmd-bad', 'exec', 'crypto', 'clone', 'fork', 'handler', 'hardirq', 'softirq', 'kthread'] as const;

export const PARAMETERS: Parameter[] = [
  { name: 'processes', description: 'processes (one mm each) at the start', min: 1, max: 3 },
  { name: 'pasids', description: 'PASIDs the IOASID allocator can hand out', min: 1, max: 3 },
  { name: 'irqs', description: 'interrupt handlers that use the kernel FPU', min: 0, max: 2 },
  { name: 'irq-times', description: 'times a hardirq handler recurs', min: 1, max: 4 },
  { name: 'kthreads', description: 'kernel threads that borrow a process\'s mm (kthread_use_mm)', min: 0, max: 1 },
  { name: 'handlers', description: '1: every thread survives SIGSEGV in a handler that returns; 0: none does', min: 0, max: 1 },
  { name: 'nesting', description: 'depth of clone/fork inside clone/fork children', min: 0, max: 2 },
];

type Kinds = ReadonlySet<string>;

/** A value the user fixed, or the generator's choice in [min, max]. */
function param<C>(o: WorkloadOptions<C>, name: string, min?: number, max?: number): fc.Arbitrary<number> {
  const p = PARAMETERS.find((q) => q.name === name)!;
  const fixed = o.params?.[name];
  if (fixed !== undefined) return fc.constant(fixed);
  return fc.integer({ min: min ?? p.min, max: max ?? p.max });
}

/**
 * Snippets of what a thread does, weighted toward what reaches the interesting paths: a bind
 * followed by a submission, a submission with no bind (#GP with no PASID), exec then a fresh bind
 * and submission in the new image.
 */
const SNIPPETS: { weight: number; ops: UserOp[] }[] = [
  { weight: 4, ops: [['open'], ['enqcmd']] },
  { weight: 3, ops: [['enqcmd']] },
  { weight: 2, ops: [['close']] },
  { weight: 2, ops: [['crypto']] },
  { weight: 1, ops: [['open']] },
  { weight: 1, ops: [['enqcmd-bad']] },
  { weight: 1, ops: [['exec']] },
  { weight: 1, ops: [['exec'], ['open'], ['enqcmd']] },
];

const allowed = (ops: UserOp[], kinds: Kinds | undefined) => !kinds || ops.every((op) => kinds.has(op[0]));

function ops(maxLength: number, depth: number, kinds: Kinds | undefined): fc.Arbitrary<UserOp[]> {
  const leaves = SNIPPETS.filter((s) => allowed(s.ops, kinds)).map((s) => ({ weight: s.weight, arbitrary: fc.constant(s.ops) }));
  const nested = depth > 0 ? (['clone', 'fork'] as const).filter((k) => !kinds || kinds.has(k)) : [];
  const child = nested.length ? ops(3, depth - 1, kinds) : undefined;
  const choices = [...leaves, ...nested.map((k) => ({ weight: 1, arbitrary: child!.map((c): UserOp[] => [[k, c]]) }))];
  if (choices.length === 0) return fc.constant([]);
  return fc.array(fc.oneof(...choices), { minLength: 1, maxLength }).map((xs) => xs.flat().slice(0, maxLength));
}

export function pasidWorkload<C>(o: WorkloadOptions<C>): fc.Arbitrary<PasidWorkload> {
  const kinds = o.kinds;
  const cpu = fc.nat({ max: o.cpus - 1 });
  const handlers = o.params?.['handlers'];
  const handler = kinds && !kinds.has('handler') ? fc.constant(false) : handlers !== undefined ? fc.constant(handlers === 1) : fc.boolean();
  const irqKinds = (['hardirq', 'softirq'] as const).filter((k) => !kinds || kinds.has(k));
  return fc.record({
    processes: param(o, 'processes'),
    nesting: param(o, 'nesting'),
    irqs: irqKinds.length ? param(o, 'irqs') : fc.constant(0),
    times: param(o, 'irq-times'),
    kthreads: !kinds || kinds.has('kthread') ? param(o, 'kthreads') : fc.constant(0),
    pasids: param(o, 'pasids'),
  }).chain((n) => fc.record({
    tasks: fc.array(fc.record({ cpu, ops: ops(o.ops, n.nesting, kinds), handler }), { minLength: n.processes, maxLength: n.processes }),
    kthreads: fc.array(fc.record({ cpu, mm: fc.nat({ max: n.processes - 1 }) }), { minLength: n.kthreads, maxLength: n.kthreads }),
    irqs: fc.array(fc.record({ cpu, kind: fc.constantFrom(...(irqKinds.length ? irqKinds : ['hardirq' as const])), times: fc.integer({ min: 1, max: n.times }) }), { minLength: n.irqs, maxLength: n.irqs }),
    pasids: fc.constant(n.pasids),
  }));
}
