/**
 * Workloads for page protection: tasks and interrupt handlers writing protected device pages
 * through kmap and kmap_local sections, stray writes from code that holds no grant, kmap()
 * addresses handed to other contexts, kunmap() in another context, the crossed nesting of
 * A.4 #3, forks and returns to user. A variant's shape says what its callers may do.
 */
import * as fc from 'fast-check';
import type { PpOp } from '../src/kernel/mm/pks-callers.js';
import { PKS_KEY_PGMAP } from '../src/kernel/arch/x86/include/asm/pks.js';

export interface PpShape {
  /** kmap()/kunmap() sections on protected pages (V10 and STRICT V-TGLX do not support them) */
  kmap: boolean;
  /** only the first task calls kmap() (V-GLOBAL: one global value, per-task counts) */
  oneKmapper: boolean;
  /** a kmap() address handed to other contexts */
  handoff: boolean;
  /** kunmap() of a handed-over (published) address in another task ('task') or also in interrupts ('any') */
  foreignKunmap: 'none' | 'task' | 'any';
  /** kmap(); kmap_local_page(); kunmap(); kunmap_local(); ('forward') or its mirror */
  crossNesting: 'none' | 'forward' | 'mirror' | 'both';
  /** interrupts: none, hardirqs, or softirqs and hardirqs nesting on one CPU */
  irqs: 'none' | 'hardirq' | 'nested';
  /** interrupt handlers kmap_local protected pages */
  irqGrants: boolean;
  /** who makes stray writes */
  stray: 'all' | 'task' | 'irq' | 'none';
  /** some tasks have _TIF_WORK_CTXSW flags set */
  tif: boolean;
  /** the last CPU is nohz_full and runs no protected-memory user */
  isolatedCpu: boolean;
  /** at most this many tasks (default: one more than CPUs) */
  maxTasks?: number;
  /** strings tasks may write to pks_fault_mode at runtime */
  paramWrites: string[];
}

/** pkey in each page's PTE: two protected device pages, one page of ordinary memory */
export const PP_PKEYS = [PKS_KEY_PGMAP, PKS_KEY_PGMAP, 0];

export interface PpWorkload {
  /** the last CPU is isolated (nohz_full) */
  isolated: boolean;
  tasks: { cpu: number; tif: boolean; ops: PpOp[] }[];
  irqs: { cpu: number; kind: 'hardirq' | 'softirq'; ops: PpOp[] }[];
}

const page = fc.nat({ max: PP_PKEYS.length - 1 });
const dev = fc.nat({ max: 1 });
const one = (op: PpOp) => [op];

function section(open: 'kmap' | 'local', close: 'kunmap' | 'unlocal', inner: (p: number) => fc.Arbitrary<PpOp[]>): fc.Arbitrary<PpOp[]> {
  return dev.chain((p) => inner(p).map((ops): PpOp[] => [[open, p], ...ops, [close, p]]));
}

function cross(shape: PpShape): fc.Arbitrary<PpOp[]>[] {
  const forward = fc.tuple(dev, dev).map(([p, q]): PpOp[] => [['kmap', p], ['local', q], ['write', q], ['kunmap', p], ['write', q], ['unlocal', q]]);
  const mirror = fc.tuple(dev, dev).map(([p, q]): PpOp[] => [['local', q], ['kmap', p], ['write', p], ['unlocal', q], ['write', p], ['kunmap', p]]);
  switch (shape.crossNesting) {
    case 'none': return [];
    case 'forward': return [forward];
    case 'mirror': return [mirror];
    case 'both': return [forward, mirror];
  }
}

/** Operations of a task or of a section body; `depth` more sections may open inside. */
function body(shape: PpShape, task: boolean, depth: number, maxLength: number, kmapper = task): fc.Arbitrary<PpOp[]> {
  const items: fc.Arbitrary<PpOp[]>[] = [];
  if (shape.stray === 'all' || shape.stray === (task ? 'task' : 'irq')) items.push(page.map((p) => one(['stray', p])));
  const inner = (p: number) => fc.array(
    depth > 1 ? fc.oneof(fc.constant(one(['write', p])), body(shape, task, depth - 1, 2, kmapper)) : fc.constant(one(['write', p])),
    { minLength: 1, maxLength: 2 },
  ).map((xs) => xs.flat());
  if (task || shape.irqGrants) items.push(section('local', 'unlocal', inner));
  if (kmapper && shape.kmap) items.push(section('kmap', 'kunmap', inner));
  // a fork may come while grants are held; a return to user only with none
  if (task) items.push(fc.constant(one(['fork'])));
  if (task && shape.paramWrites.length > 0) items.push(fc.constantFrom(...shape.paramWrites).map((v) => one(['param', v])));
  if (task && depth === 2) {
    items.push(fc.constant(one(['user'])));
    if (kmapper) items.push(...cross(shape));
    if (kmapper && (shape.handoff || shape.foreignKunmap !== 'none')) items.push(dev.map((p) => one(['give', p])));
  }
  if (shape.handoff) items.push(dev.map((p) => one(['use', p])));
  if (shape.foreignKunmap === 'any' || (shape.foreignKunmap === 'task' && task)) items.push(dev.map((p) => one(['take', p])));
  if (items.length === 0) items.push(page.map((p) => one(['stray', p])));
  return fc.array(fc.oneof(...items), { minLength: 1, maxLength }).map((xs) => xs.flat());
}

export function ppWorkload(shape: PpShape, o: { cpus: number; ops: number }): fc.Arbitrary<PpWorkload> {
  // an isolated CPU runs no protected-memory user: tasks and interrupts stay off it
  const used = shape.isolatedCpu && o.cpus > 1 ? o.cpus - 1 : o.cpus;
  const cpu = fc.nat({ max: used - 1 });
  const task = (kmapper: boolean) => fc.record({ cpu, tif: shape.tif ? fc.boolean() : fc.constant(false), ops: body(shape, true, 2, o.ops, kmapper) });
  const kinds: ('hardirq' | 'softirq')[] = shape.irqs === 'nested' ? ['hardirq', 'softirq'] : ['hardirq'];
  const irq = fc.record({ cpu, kind: fc.constantFrom(...kinds), ops: body(shape, false, 1, 2) });
  return fc.record({
    isolated: fc.constant(used < o.cpus),
    tasks: fc.tuple(task(true), fc.array(task(!shape.oneKmapper), { maxLength: (shape.maxTasks ?? o.cpus + 1) - 1 }))
      .map(([first, rest]) => [first, ...rest]),
    irqs: shape.irqs === 'none' ? fc.constant([]) : fc.array(irq, { maxLength: 2 }),
  });
}
