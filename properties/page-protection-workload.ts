/**
 * Workloads for page protection: tasks and interrupt handlers writing protected device pages
 * through kmap and kmap_local sections, a second PKS user granting its own key with
 * pks_set_readwrite(), stray writes from code that holds no grant, kmap() addresses handed to
 * other contexts, kunmap() in another context, the crossed nesting of A.4 #3, bottom-half-disabled
 * regions (softirqs then run from local_bh_enable()), forks and returns to user.
 *
 * A variant's shape says what its callers may do (the scope its design claims). Within it, each
 * run may use a subset of the operation kinds (swarm testing, `o.kinds`) and the parameters the
 * user did not fix (`o.params`) are drawn per run. The arbitraries shrink: fewer programs, fewer
 * and shorter operations.
 */
import * as fc from 'fast-check';
import type { Parameter } from '../src/protocol.js';
import type { PpOp } from '../src/kernel/mm/pks-callers.js';
import { PKS_KEY_PGMAP, PKS_KEY_TEST } from '../src/kernel/arch/x86/include/asm/pks.js';

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
  /** interrupt handlers: none, hardirqs only, softirqs only, or both (a hardirq may then nest in a softirq) */
  irqs: 'none' | 'hardirq' | 'softirq' | 'nested';
  /** what interrupt handlers may grant themselves: kmap_local sections, pks_set sections */
  irqGrants: ('local' | 'set')[];
  /** who makes stray writes */
  stray: 'all' | 'task' | 'irq' | 'none';
  /** a second PKS user in tasks: pks_set_readwrite(PKS_KEY_TEST) sections */
  secondKey: boolean;
  /**
   * bottom-half-disabled regions in tasks: none, only where the task holds no grant, or also
   * inside a grant (a softirq run from local_bh_enable() there inherits the task's PKRS)
   */
  bh: 'none' | 'outside' | 'inside';
  /** tasks fork and return to user (the child returns to user and exits) */
  forks: boolean;
  /** some tasks have _TIF_WORK_CTXSW flags set */
  tif: boolean;
  /** the last CPU is nohz_full and runs no protected-memory user */
  isolatedCpu: boolean;
  /** at most this many tasks (default: one more than CPUs) */
  maxTasks?: number;
  /** strings tasks may write to pks_fault_mode at runtime */
  paramWrites: string[];
}

/** pkey in each page's PTE: two pgmap-protected device pages, ordinary memory, a page of the second PKS user */
export const PP_PKEYS = [PKS_KEY_PGMAP, PKS_KEY_PGMAP, 0, PKS_KEY_TEST];
export const PLAIN_PAGE = 2;
export const TEST_PAGE = 3;
/** keys their users grant directly (pks_set_*), not through the pgmap count */
export const PP_DIRECT_KEYS = [PKS_KEY_TEST];

export interface PpWorkload {
  /** the last CPU is isolated (nohz_full) */
  isolated: boolean;
  tasks: { cpu: number; tif: boolean; ops: PpOp[] }[];
  irqs: { cpu: number; kind: 'hardirq' | 'softirq'; ops: PpOp[] }[];
}

/** Operation kinds, for swarm testing: a run may be restricted to a subset. */
export const PP_OPERATIONS = ['local', 'kmap', 'cross', 'handoff', 'take', 'stray', 'set', 'bh', 'fork', 'user', 'param', 'irq'] as const;
export type PpKind = (typeof PP_OPERATIONS)[number];

export const PP_PARAMETERS: Parameter[] = [
  { name: 'tasks', description: 'tasks, spread over the CPUs (varied from 1 to CPUs + 1, or the variant\'s limit)', min: 1, max: 4 },
  { name: 'irqs', description: 'interrupt handler programs (hardirq/softirq, as the variant allows; 0 without interrupts)', min: 0, max: 2 },
  { name: 'depth', description: 'how deep kmap/kmap_local/pks_set sections and bh regions nest in a task', min: 1, max: 3 },
  { name: 'keys', description: 'protected keys in use: 1 (PKS_KEY_PGMAP_PROTECTION) or 2 (and PKS_KEY_TEST, granted directly)', min: 1, max: 2 },
];

export interface PpGenOptions {
  cpus: number;
  ops: number;
  kinds?: ReadonlySet<string>;
  params?: Readonly<Record<string, number>>;
}

const dev = fc.nat({ max: 1 });
const anyPage = fc.nat({ max: PP_PKEYS.length - 1 });
const one = (op: PpOp) => [op];

/** The operation kinds one program may use, from the shape, the swarm subset and the parameters. */
export function allowed(shape: PpShape, o: Pick<PpGenOptions, 'kinds' | 'params'>, task: boolean, kmapper: boolean): Set<PpKind> {
  const k = new Set<PpKind>();
  const on = (kind: PpKind, cond: boolean) => { if (cond && (!o.kinds || o.kinds.has(kind))) k.add(kind); };
  const keys = o.params?.['keys'] ?? 2;
  on('stray', shape.stray === 'all' || shape.stray === (task ? 'task' : 'irq'));
  on('local', task || shape.irqGrants.includes('local'));
  on('set', keys > 1 && (task ? shape.secondKey : shape.irqGrants.includes('set')));
  on('kmap', kmapper && shape.kmap);
  on('cross', task && kmapper && shape.crossNesting !== 'none');
  on('handoff', shape.handoff || (task && kmapper && shape.foreignKunmap !== 'none'));
  on('take', shape.foreignKunmap === 'any' || (shape.foreignKunmap === 'task' && task));
  on('bh', task && shape.bh !== 'none');
  on('fork', task && shape.forks);
  on('user', task && shape.forks);
  on('param', task && shape.paramWrites.length > 0);
  return k;
}

function section(open: PpOp, close: PpOp, inner: fc.Arbitrary<PpOp[]>): fc.Arbitrary<PpOp[]> {
  return inner.map((ops): PpOp[] => [open, ...ops, close]);
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

interface Level {
  task: boolean; kmapper: boolean; top: boolean; grant: boolean; depth: number;
  /** inside a pks_set section: pks_set_*() is not counted, so its users do not nest it */
  inSet?: boolean;
  /** inside a bh region (regions are not nested: one local_bh_disable() level) */
  inBh?: boolean;
}

/**
 * Operations of a program or of a section body. `depth` more sections may open inside; `grant`:
 * inside a section (a bh region there is 'inside' a grant).
 */
function body(shape: PpShape, k: Set<PpKind>, at: Level, maxLength: number): fc.Arbitrary<PpOp[]> {
  const items: fc.Arbitrary<PpOp[]>[] = [];
  const inner = (write: fc.Arbitrary<PpOp[]>, inSet = at.inSet) => (at.depth > 1
    ? fc.array(fc.oneof(write, body(shape, k, { ...at, top: false, grant: true, depth: at.depth - 1, inSet }, 2)), { minLength: 1, maxLength: 2 }).map((xs) => xs.flat())
    : write);
  // a bh region inside a grant: the place where a softirq may run with the grant
  const bhInside = k.has('bh') && !at.inBh && shape.bh === 'inside';
  const body1 = (write: fc.Arbitrary<PpOp[]>, inSet = at.inSet) => (bhInside && at.depth === 1
    ? fc.oneof(write, write.map((ops): PpOp[] => [['bh_disable'], ...ops, ['bh_enable']]))
    : inner(write, inSet));
  if (k.has('stray')) items.push(anyPage.map((p) => one(['stray', p])));
  if (k.has('local')) items.push(dev.chain((p) => section(['local', p], ['unlocal', p], body1(fc.constant(one(['write', p]))))));
  // kmap() may sleep (might_sleep()): no caller makes one with bottom halves disabled, which in_atomic() counts
  if (k.has('kmap') && !at.inBh) items.push(dev.chain((p) => section(['kmap', p], ['kunmap', p], body1(fc.constant(one(['write', p]))))));
  if (k.has('set') && !at.inSet) items.push(section(['set', PKS_KEY_TEST], ['clear', PKS_KEY_TEST], body1(fc.constant(one(['write', TEST_PAGE])), true)));
  if (k.has('bh') && !at.inBh && (!at.grant || shape.bh === 'inside')) {
    items.push(section(['bh_disable'], ['bh_enable'], body(shape, k, { ...at, top: false, inBh: true, depth: Math.max(1, at.depth - 1) }, 2)));
  }
  // a fork may come while grants are held; a return to user only with none
  if (k.has('fork')) items.push(fc.constant(one(['fork'])));
  if (k.has('param')) items.push(fc.constantFrom(...shape.paramWrites).map((v) => one(['param', v])));
  if (at.top && k.has('user')) items.push(fc.constant(one(['user'])));
  if (at.top && k.has('cross') && at.depth > 1) items.push(...cross(shape));
  if (at.top && at.task && at.kmapper && k.has('handoff') && (shape.handoff || shape.foreignKunmap !== 'none')) items.push(dev.map((p) => one(['give', p])));
  if (shape.handoff && k.has('handoff')) items.push(dev.map((p) => one(['use', p])));
  if (k.has('take')) items.push(dev.map((p) => one(['take', p])));
  // nothing else allowed: a write to ordinary memory, which any context may do
  if (items.length === 0) items.push(fc.constant(one(['write', PLAIN_PAGE])));
  return fc.array(fc.oneof(...items), { minLength: 1, maxLength }).map((xs) => xs.flat());
}

/**
 * The interrupt kinds a run has: the shape's, when the run may use interrupts; a run with bh
 * regions but no other interrupts still has the softirqs those regions defer.
 */
export function interruptKinds(shape: PpShape, kinds?: ReadonlySet<string>): ('hardirq' | 'softirq')[] {
  const all: ('hardirq' | 'softirq')[] = shape.irqs === 'nested' ? ['hardirq', 'softirq'] : shape.irqs === 'softirq' ? ['softirq'] : shape.irqs === 'hardirq' ? ['hardirq'] : [];
  if (!kinds || kinds.has('irq')) return all;
  return kinds.has('bh') && shape.bh !== 'none' ? all.filter((k) => k === 'softirq') : [];
}

/** `count` programs when the user fixed the parameter, else from `min` to `max` (shrinking toward fewer). */
function programs<T>(o: PpGenOptions, name: string, arb: fc.Arbitrary<T>, min: number, max: number): fc.Arbitrary<T[]> {
  const fixed = o.params?.[name];
  return fixed !== undefined ? fc.array(arb, { minLength: fixed, maxLength: fixed }) : fc.array(arb, { minLength: min, maxLength: max });
}

export function ppWorkload(shape: PpShape, o: PpGenOptions): fc.Arbitrary<PpWorkload> {
  // an isolated CPU runs no protected-memory user: tasks and interrupts stay off it
  const used = shape.isolatedCpu && o.cpus > 1 ? o.cpus - 1 : o.cpus;
  const cpu = fc.nat({ max: used - 1 });
  const maxTasks = Math.min(shape.maxTasks ?? o.cpus + 1, o.params?.['tasks'] ?? Infinity);
  const irqKinds = interruptKinds(shape, o.kinds);
  const irqsOn = irqKinds.length > 0;
  const depths = o.params?.['depth'] !== undefined ? [o.params['depth']] : [2, 1, 3];
  const taskBody = (kmapper: boolean) => fc.oneof(...depths.map((depth) =>
    body(shape, allowed(shape, o, true, kmapper), { task: true, kmapper, top: true, grant: false, depth }, o.ops)));
  const task = (kmapper: boolean) => fc.record({ cpu, tif: shape.tif ? fc.boolean() : fc.constant(false), ops: taskBody(kmapper) });
  const irq = fc.record({
    cpu, kind: fc.constantFrom(...(irqsOn ? irqKinds : ['hardirq' as const])),
    ops: body(shape, allowed(shape, o, false, false), { task: false, kmapper: false, top: true, grant: false, depth: 1 }, 2),
  });
  const tasksFixed = o.params?.['tasks'] !== undefined ? { ...o, params: { ...o.params, tasks: maxTasks - 1 } } : o;
  return fc.record({
    isolated: fc.constant(used < o.cpus),
    tasks: fc.tuple(task(true), programs(tasksFixed, 'tasks', task(!shape.oneKmapper), 0, maxTasks - 1)).map(([first, rest]) => [first, ...rest]),
    irqs: irqsOn ? programs(o, 'irqs', irq, o.kinds?.has('irq') === false ? 1 : 0, 2) : fc.constant([]),
  });
}

/** An operation as the report prints it. */
export function describePpOp(op: PpOp): string {
  switch (op[0]) {
    case 'kmap': return `kmap(p${op[1]})`;
    case 'kunmap': return `kunmap(p${op[1]})`;
    case 'local': return `kmap_local_page(p${op[1]})`;
    case 'unlocal': return `kunmap_local(p${op[1]})`;
    case 'write': return `write(p${op[1]})`;
    case 'stray': return `stray write(p${op[1]})`;
    case 'give': return `kmap(p${op[1]}) and hand the address over`;
    case 'use': return `write(p${op[1]}) through a handed-over address`;
    case 'take': return `kunmap(p${op[1]}) of a handed-over address`;
    case 'set': return `pks_set_readwrite(${op[1]})`;
    case 'clear': return `pks_set_noaccess(${op[1]})`;
    case 'bh_disable': return 'local_bh_disable()';
    case 'bh_enable': return 'local_bh_enable()';
    case 'fork': return 'fork()';
    case 'user': return 'return to user';
    case 'param': return `write ${JSON.stringify(op[1])} to pks_fault_mode`;
  }
}
