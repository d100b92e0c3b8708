/**
 * Workloads for the kmap protocol: tasks and interrupt handlers whose operations are nested
 * map/unmap sections (legal API use, unless the variant's callers are the bug; kmap() sections may
 * also be undone out of order, which the API allows), with reads and writes through the addresses
 * they hold, copies, kmap_flush_unused(), forks and returns to user.
 *
 * Parameters (fixed by `--param`, drawn per run otherwise) size the pkmap pool, the kmap()s and
 * the local nesting a task holds, and the interrupt handlers; the operation kinds a run may use
 * come from swarm testing (`kinds`). Both are applied after generation, by deterministic cuts
 * (unwrapping sections nested too deep, dropping handlers), so every workload still shrinks.
 */
import * as fc from 'fast-check';
import type { Parameter, WorkloadOptions } from '../src/protocol.js';
import type { KmapOp } from '../src/kernel/mm/kmap-callers.js';
import { KM_MAX_IDX, type KmapConfig, type KmapWorkloadShape } from '../src/kernel/mm/kmap-types.js';
import { crossKmaps, deadlockFreePool, fitNesting, limitNesting, pageCount, type KmapWorkload } from './kmap-programs.js';

export type { KmapWorkload } from './kmap-programs.js';
export { PAGES } from './kmap-programs.js';

export const KMAP_PARAMETERS: Parameter[] = [
  { name: 'PKMAP_ORDER', description: 'LAST_PKMAP = 1 << PKMAP_ORDER pkmap slots; unless the variant\'s callers are the bug, raised to the deadlock-free bound of the drawn workload when not fixed', min: 0, max: 2 },
  { name: 'kmaps', description: 'kmap()s a task holds at once, at most', min: 1, max: 3 },
  { name: 'local-depth', description: 'kmap_local_page()/kmap_atomic() sections nested in a task, at most (past 3 only in runs of nested kmap_local_page()s), and never past the stack the configuration documents less what interrupts may nest on it; when not fixed, past 3 in a quarter of the runs', min: 1, max: 16 },
  { name: 'irqs', description: 'interrupt handlers (hardirq or softirq, one shot each), at most', min: 0, max: 3 },
];

/** Operation kinds for swarm testing: each names what a program may contain. */
export const KMAP_OPERATIONS = ['kmap', 'local', 'atomic', 'access', 'copy', 'flush', 'fork', 'user', 'hardirq', 'softirq'];

type Kmapo = WorkloadOptions<{ kernel: KmapConfig; shape: KmapWorkloadShape }>;
interface Where { task: boolean; kmaps: number; atomic: boolean; depth: number }

/** The most any parameter allows: programs are generated that deep and cut to the drawn value. */
const MAX_KMAPS = 3;
const MAX_DEPTH = 3;
/**
 * Local mappings a task may nest, interrupts on top included: include/asm-generic/kmap_size.h
 * (KM_MAX_IDX 16, or 33 with DEBUG_KMAP_LOCAL's guard slots) with kmap_local_idx_push()'s
 * BUG_ON(idx >= KM_MAX_IDX): 15 mappings, 16 with the guards. Stated from the documentation,
 * not from the model's KM_MAX_IDX, which is kernel code under test.
 */
const STACK_LIMIT = (debug: boolean) => (debug ? 16 : 15);
/** Local mappings one interrupt handler may hold at once (a copy inside a local section). */
const IRQ_LOCALS = 3;
const page = fc.nat({ max: pageCount() - 1 });

class Generator {
  private readonly memo = new Map<string, fc.Arbitrary<KmapOp[]>>();
  constructor(private readonly shape: KmapWorkloadShape, private readonly has: (kind: string) => boolean) {}

  /** Operations of one section body; `depth` local levels and `MAX_KMAPS - kmaps` kmap() levels may still open. */
  body(where: Where, maxLength: number): fc.Arbitrary<KmapOp[]> {
    const key = `${where.task}${where.kmaps}${where.atomic}${where.depth}/${maxLength}`;
    let arb = this.memo.get(key);
    if (!arb) {
      const items = this.items(where);
      arb = items.length ? fc.array(fc.oneof(...items), { minLength: 1, maxLength }).map((xs) => xs.flat()) : fc.constant([]);
      this.memo.set(key, arb);
    }
    return arb;
  }

  private items(where: Where): fc.WeightedArbitrary<KmapOp[]>[] {
    const { shape, has } = this;
    const items: fc.WeightedArbitrary<KmapOp[]>[] = [];
    const push = (arbitrary: fc.Arbitrary<KmapOp[]>, weight = 1) => items.push({ arbitrary, weight });
    if (has('access')) push(fc.constantFrom<KmapOp[]>([['read']], [['write']]));
    if (has('copy')) push(fc.tuple(page, page).filter(([a, b]) => a !== b).map(([to, from]): KmapOp[] => [['copy', to, from]]));
    const holding = where.depth < MAX_DEPTH || where.kmaps > 0;
    if (where.task && !where.atomic) {
      if (has('flush')) push(fc.constant<KmapOp[]>([['flush']]));
      if (!holding || shape.leakAcrossUser) {
        if (has('fork')) push(fc.constant<KmapOp[]>([['fork']]));
        if (has('user')) push(fc.constant<KmapOp[]>([['user']]));
      }
    }
    if (where.depth > 0) {
      const inner = { ...where, depth: where.depth - 1 };
      if (has('local')) push(section('local', 'unlocal', this.body(inner, 2)));
      if (has('atomic')) push(section('atomic', 'unatomic', this.body({ ...inner, atomic: true }, 2)));
    }
    if (where.task && where.depth === MAX_DEPTH && has('local')) {
      // a run of nested kmap_local_page()s: M-B4's caller nests KM_MAX_IDX of them, one too many;
      // legal callers as many as a stack holds, cut after drawing to local-depth and the documented limit
      const deep = shape.deepNest ? KM_MAX_IDX(false) : STACK_LIMIT(true);
      const p = shape.deepNest ? fc.constant(0) : page;
      push(p.map((q) => [...Array.from({ length: deep }, (): KmapOp => ['local', q]), ...Array.from({ length: deep }, (): KmapOp => ['unlocal', q])]));
    }
    if (where.task && (!where.atomic || shape.kmapInAtomic) && where.kmaps < MAX_KMAPS && has('kmap')) {
      // heavier: tasks that kmap() at once are what runs the pool out (sleep, wake-up, re-check)
      push(this.kmapSection(where), 3);
    }
    return items;
  }

  /**
   * A kmap() section; with `cross`, its kunmap() comes right after the first kmap() of another
   * page inside it (kmap(a) .. kmap(b); kunmap(a) .. kunmap(b)), which the API allows: a slot
   * freed below one still held, the shape that leaves a count-1 slot behind map_new_virtual()'s scan.
   */
  private kmapSection(where: Where): fc.Arbitrary<KmapOp[]> {
    return fc.tuple(page, this.body({ ...where, kmaps: where.kmaps + 1 }, 2), fc.boolean()).map(([p, body, cross]) => {
      const ops: KmapOp[] = [['kmap', p], ...body, ['kunmap', p]];
      return cross ? crossKmaps(ops) : ops;
    });
  }

  /** An interrupt handler: one or two local sections; with irqLeak it may forget the last unmap. */
  irq(kind: 'hardirq' | 'softirq'): fc.Arbitrary<KmapOp[]> {
    const ops = this.body({ task: false, kmaps: 0, atomic: true, depth: 1 }, 2);
    return fc.tuple(ops, fc.boolean()).map(([xs, odd]) => {
      if (this.shape.irqLeak && odd) {
        const i = xs.findLastIndex((op) => op[0] === 'unlocal' || op[0] === 'unatomic');
        if (i >= 0) return xs.filter((_, j) => j !== i);
      }
      // a handler that turns interrupts on around its work: kmap_local_idx_push() warns
      if (this.shape.irqsOnInHardirq && kind === 'hardirq' && odd) return [['irq_on'] as KmapOp, ...xs, ['irq_off'] as KmapOp];
      return xs;
    });
  }
}

function section(open: 'local' | 'atomic', close: 'unlocal' | 'unatomic', inner: fc.Arbitrary<KmapOp[]>) {
  return fc.tuple(page, inner).map(([p, ops]): KmapOp[] => [[open, p] as KmapOp, ...ops, [close, p] as KmapOp]);
}

/** A parameter's value: the user's, or drawn from its range (`min` raised for this variant). */
function param(o: Kmapo, name: string, min?: number): fc.Arbitrary<number> {
  const p = KMAP_PARAMETERS.find((q) => q.name === name)!;
  const fixed = o.params?.[name];
  return fixed !== undefined ? fc.constant(fixed) : fc.integer({ min: Math.max(p.min, min ?? p.min), max: p.max });
}

/** Workload arbitraries are pure: one per variant, bounds, parameters and kinds (swarm asks for one per run). */
const cache = new Map<string, fc.Arbitrary<KmapWorkload>>();

export function kmapWorkload(o: Kmapo): fc.Arbitrary<KmapWorkload> {
  const key = JSON.stringify([o.variant.name, o.variant.config, o.cpus, o.ops, o.params ?? {}, o.kinds ? [...o.kinds].sort() : null]);
  let arb = cache.get(key);
  if (!arb) cache.set(key, (arb = build(o)));
  return arb;
}

function build(o: Kmapo): fc.Arbitrary<KmapWorkload> {
  const { kernel, shape } = o.variant.config;
  const has = (kind: string) => !o.kinds || o.kinds.has(kind);
  const gen = new Generator(shape, has);
  const cpu = fc.nat({ max: o.cpus - 1 });
  const task = fc.record({ cpu, ops: gen.body({ task: true, kmaps: 0, atomic: false, depth: MAX_DEPTH }, o.ops) });
  const kinds = (['hardirq', 'softirq'] as const).filter(has);
  const irq = kinds.length ? fc.oneof(...kinds.map((kind) => fc.record({ cpu, kind: fc.constant(kind), ops: gen.irq(kind) }))) : null;
  return fc.record({
    order: param(o, 'PKMAP_ORDER'),
    kmaps: param(o, 'kmaps', shape.nestedKmap ? 2 : undefined),
    // past the generator's own nesting only now and then: deep runs are long
    depth: o.params?.['local-depth'] === undefined ? fc.oneof({ arbitrary: fc.integer({ min: 1, max: MAX_DEPTH }), weight: 3 }, fc.integer({ min: MAX_DEPTH + 1, max: STACK_LIMIT(true) })) : param(o, 'local-depth'),
    nirqs: param(o, 'irqs'),
    tasks: fc.array(task, { minLength: 1, maxLength: o.cpus + 1 }),
    irqs: irq ? fc.array(irq, { maxLength: MAX_KMAPS }) : fc.constant([]),
  }).map((d): KmapWorkload => {
    const irqs = d.irqs.slice(0, d.nirqs);
    // the stack holds the task's mappings and those of the interrupts that nest on it
    const depth = Math.min(d.depth, STACK_LIMIT(kernel.DEBUG_KMAP_LOCAL) - IRQ_LOCALS * irqs.length);
    const tasks = d.tasks.map((t) => ({ ...t, ops: shape.deepNest ? t.ops : limitNesting(t.ops, { kmaps: d.kmaps, depth }) }));
    const wl: KmapWorkload = { pkmap: 1 << d.order, tasks, irqs };
    if (shape.nestedKmap) return wl;
    // callers that keep to the API: a pool that cannot deadlock, small enough to run out. Cut the
    // nesting to the pool unless the user fixed it, then raise the pool unless the user fixed it
    const fitted = o.params?.kmaps === undefined ? fitNesting(wl, kernel, d.kmaps) : wl;
    if (o.params?.PKMAP_ORDER === undefined) fitted.pkmap = Math.max(fitted.pkmap, deadlockFreePool(fitted, kernel));
    return fitted;
  });
}
