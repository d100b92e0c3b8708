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
  /**
   * one process each, with its own mm (mm i for task i): its first thread's program, and the
   * programs of the threads it has from the start; `handler`: its threads survive SIGSEGV
   */
  tasks: { cpu: number; ops: UserOp[]; handler?: boolean; threads?: { cpu: number; ops: UserOp[] }[] }[];
  /** kthread_use_mm() workers: the mm of process `mm` */
  kthreads: { cpu: number; mm: number }[];
  /** interrupt handlers that use the FPU; a hardirq recurs `times` times */
  irqs: { cpu: number; kind: 'hardirq' | 'softirq'; times: number }[];
  /** PASIDs in the IOASID space [1, 1 + pasids) (default 2): few, so a freed one is soon reused */
  pasids?: number;
}

/**
 * The optional operation kinds of a workload, for swarm testing: user operations, threads from
 * the start, SIGSEGV handlers and environment programs. open and ENQCMD are not optional: a run
 * without a bind or a submission exercises nothing any invariant is about.
 */
export const OPERATIONS = ['close', 'exec', 'crypto', 'enqcmd-bad', 'clone', 'fork', 'threads', 'handler', 'hardirq', 'softirq', 'kthread'] as const;
const ESSENTIAL = ['open', 'enqcmd'];

export const PARAMETERS: Parameter[] = [
  { name: 'processes', description: 'processes (one mm each) at the start', min: 1, max: 3 },
  { name: 'threads', description: 'threads each process has at the start', min: 1, max: 2 },
  { name: 'pasids', description: 'PASIDs the IOASID allocator can hand out', min: 1, max: 3 },
  { name: 'irqs', description: 'interrupt handlers that use the kernel FPU', min: 0, max: 2 },
  { name: 'irq-times', description: 'times a hardirq handler recurs', min: 1, max: 4 },
  { name: 'kthreads', description: 'kernel threads that borrow a process\'s mm (kthread_use_mm)', min: 0, max: 1 },
  { name: 'handlers', description: '1: every thread survives SIGSEGV in a handler that returns; 0: none does', min: 0, max: 1 },
  { name: 'nesting', description: 'depth of clone/fork inside clone/fork children', min: 0, max: 2 },
];

type Kinds = ReadonlySet<string>;

/** The bounds of a parameter: the value the user fixed, or its declared range. */
function bounds<C>(o: WorkloadOptions<C>, name: string): { min: number; max: number } {
  const p = PARAMETERS.find((q) => q.name === name)!;
  const fixed = o.params?.[name];
  return fixed === undefined ? { min: p.min, max: p.max } : { min: fixed, max: fixed };
}

/**
 * An array whose length is a parameter: 0 when the kind it needs is not in this run's kinds, at
 * least 1 when swarm testing drew that kind (a kind drawn and then not used wastes the run's
 * draw), unless the user fixed the parameter.
 */
function counted<T, C>(o: WorkloadOptions<C>, name: string, item: fc.Arbitrary<T>, allowed = true, offset = 0): fc.Arbitrary<T[]> {
  const b = bounds(o, name);
  if (!allowed) return fc.constant([]);
  const drawn = o.kinds !== undefined && o.params?.[name] === undefined;
  const max = b.max - offset;
  return fc.array(item, { minLength: Math.min(max, Math.max(b.min - offset, drawn ? 1 : 0)), maxLength: max });
}

/**
 * Snippets of what a thread does, weighted toward what reaches the interesting paths: a bind
 * followed by a submission, a submission with no bind (#GP with no PASID), exec then a fresh bind
 * and submission in the new image, and exec of an image whose PASID is active (bound and
 * activated by a submission) followed by a submission from the new image: every exec path
 * (dropping the PASID, resetting the FPU image, activation) acts on live state only then.
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
  { weight: 2, ops: [['open'], ['enqcmd'], ['exec'], ['enqcmd']] },
];

const allowed = (ops: UserOp[], kinds: Kinds) => ops.every((op) => ESSENTIAL.includes(op[0]) || kinds.has(op[0]));

/** What a sibling thread does while its process binds: FPU sections and submissions. */
const SIBLING: UserOp[][] = [[['crypto'], ['enqcmd']], [['enqcmd'], ['enqcmd']], [['crypto'], ['enqcmd'], ['enqcmd']], [['enqcmd'], ['crypto'], ['enqcmd']]];

/**
 * Snippets that need a second thread: a sibling busy (FPU section, submissions) while the
 * process binds, which is where the eager designs' IPIs and switch-path updates race; two
 * threads closing the same fd (close_fd()'s -EBADF).
 */
function threaded(depth: number, kinds: Kinds): { weight: number; arbitrary: fc.Arbitrary<UserOp[]> }[] {
  if (depth === 0 || !kinds.has('clone')) return [];
  const out: { weight: number; arbitrary: fc.Arbitrary<UserOp[]> }[] = [];
  const siblings = SIBLING.filter((c) => allowed(c, kinds));
  if (siblings.length) out.push({ weight: 4, arbitrary: fc.constantFrom(...siblings).map((c): UserOp[] => [['clone', c], ['open'], ['enqcmd']]) });
  if (allowed([['open'], ['close']], kinds)) out.push({ weight: 1, arbitrary: fc.constant<UserOp[]>([['open'], ['clone', [['close']]], ['close']]) });
  return out;
}

function ops(maxLength: number, depth: number, kinds: Kinds): fc.Arbitrary<UserOp[]> {
  const leaves = SNIPPETS.filter((s) => allowed(s.ops, kinds)).map((s) => ({ weight: s.weight, arbitrary: fc.constant(s.ops) }));
  const nested = depth > 0 ? (['clone', 'fork'] as const).filter((k) => kinds.has(k)) : [];
  const child = nested.length ? ops(3, depth - 1, kinds) : undefined;
  const choices = [...leaves, ...threaded(depth, kinds), ...nested.map((k) => ({ weight: 1, arbitrary: child!.map((c): UserOp[] => [[k, c]]) }))];
  if (choices.length === 0) return fc.constant([]);
  return fc.array(fc.oneof(...choices), { minLength: 1, maxLength }).map((xs) => xs.flat().slice(0, maxLength));
}

export function pasidWorkload<C>(o: WorkloadOptions<C>): fc.Arbitrary<PasidWorkload> {
  return workloadOf(o, o.kinds ?? new Set(OPERATIONS));
}

/**
 * No fc.chain: every part is a plain array or record, so that fast-check shrinks a failing
 * workload by dropping processes, threads, interrupts and operations one at a time.
 */
function workloadOf<C>(o: WorkloadOptions<C>, kinds: Kinds): fc.Arbitrary<PasidWorkload> {
  const cpu = fc.nat({ max: o.cpus - 1 });
  const handlers = o.params?.['handlers'];
  const handler = !kinds.has('handler') ? fc.constant(false) : handlers !== undefined ? fc.constant(handlers === 1) : fc.boolean();
  const irqKinds = (['hardirq', 'softirq'] as const).filter((k) => kinds.has(k));
  const depth = bounds(o, 'nesting').max;
  const program = ops(o.ops, depth, kinds);
  // a thread from the start is often the busy sibling of a binding process
  const siblings = SIBLING.filter((c) => allowed(c, kinds));
  const thread = siblings.length ? fc.oneof(program, fc.constantFrom(...siblings)) : program;
  const b = bounds(o, 'pasids');
  return fc.record({
    tasks: counted(o, 'processes', fc.record({
      cpu, ops: program, handler,
      threads: counted(o, 'threads', fc.record({ cpu, ops: thread }), kinds.has('threads'), 1),
    })),
    kthreads: counted(o, 'kthreads', fc.record({ cpu, mm: fc.nat({ max: bounds(o, 'processes').max - 1 }) }), kinds.has('kthread')),
    irqs: counted(o, 'irqs', fc.record({ cpu, kind: fc.constantFrom(...(irqKinds.length ? irqKinds : ['hardirq' as const])), times: fc.integer(bounds(o, 'irq-times')) }), irqKinds.length > 0),
    pasids: fc.integer(b),
  });
}
