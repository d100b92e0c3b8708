/**
 * Workloads for the kmap protocol: tasks and interrupt handlers whose operations are nested
 * map/unmap sections (legal API use, unless the variant's callers are the bug), with reads and
 * writes through the addresses they hold, copies, forks and returns to user mode.
 */
import * as fc from 'fast-check';
import type { KmapOp } from '../src/kernel/mm/kmap-callers.js';
import { KM_MAX_IDX, type KmapWorkloadShape } from '../src/kernel/mm/kmap-types.js';

export interface KmapWorkload {
  tasks: { cpu: number; ops: KmapOp[] }[];
  irqs: { cpu: number; kind: 'hardirq' | 'softirq'; ops: KmapOp[] }[];
}

/** PageHighMem() per page before the HIGHMEM option applies: three highmem pages, one lowmem */
export const PAGES: readonly boolean[] = [true, true, true, false];

interface Where { task: boolean; kmaps: number; atomic: boolean; depth: number }

const page = fc.nat({ max: PAGES.length - 1 });

/** Operations of one section body; `depth` local levels may still be opened. */
function body(shape: KmapWorkloadShape, where: Where, maxLength: number): fc.Arbitrary<KmapOp[]> {
  const items: fc.Arbitrary<KmapOp[]>[] = [
    fc.constantFrom<KmapOp[]>([['read']], [['write']]),
    fc.tuple(page, page).filter(([a, b]) => a !== b).map(([to, from]): KmapOp[] => [['copy', to, from]]),
  ];
  const holding = where.depth < (where.task ? shape.localDepth : 1) || where.kmaps > 0;
  if (where.task && (!holding || shape.leakAcrossUser) && !where.atomic) {
    items.push(fc.constantFrom<KmapOp[]>([['fork']], [['user']]));
  }
  if (where.depth > 0) {
    const inner = { ...where, depth: where.depth - 1 };
    items.push(section('local', 'unlocal', body(shape, inner, 2)));
    items.push(section('atomic', 'unatomic', body(shape, { ...inner, atomic: true }, 2)));
  }
  if (shape.deepNest && where.task && where.depth === shape.localDepth) {
    const deep = KM_MAX_IDX(false);
    items.push(fc.constant<KmapOp[]>([...Array.from({ length: deep }, (): KmapOp => ['local', 0]), ...Array.from({ length: deep }, (): KmapOp => ['unlocal', 0])]));
  }
  if (where.task && !where.atomic && where.kmaps < (shape.nestedKmap ? 2 : 1)) {
    items.push(section('kmap', 'kunmap', body(shape, { ...where, kmaps: where.kmaps + 1 }, 2)));
  }
  return fc.array(fc.oneof(...items), { minLength: 1, maxLength }).map((xs) => xs.flat());
}

function section(open: 'kmap' | 'local' | 'atomic', close: 'kunmap' | 'unlocal' | 'unatomic', inner: fc.Arbitrary<KmapOp[]>) {
  return fc.tuple(page, inner).map(([p, ops]): KmapOp[] => [[open, p] as KmapOp, ...ops, [close, p] as KmapOp]);
}

/** An interrupt handler: one or two local sections; with irqLeak it may forget the last unmap. */
function irqOps(shape: KmapWorkloadShape): fc.Arbitrary<KmapOp[]> {
  const ops = body(shape, { task: false, kmaps: 0, atomic: true, depth: 1 }, 2);
  if (!shape.irqLeak) return ops;
  return fc.tuple(ops, fc.boolean()).map(([xs, leak]) => {
    const i = xs.findLastIndex((op) => op[0] === 'unlocal' || op[0] === 'unatomic');
    return leak && i >= 0 ? xs.filter((_, j) => j !== i) : xs;
  });
}

export function kmapWorkload(shape: KmapWorkloadShape, o: { cpus: number; ops: number }): fc.Arbitrary<KmapWorkload> {
  const cpu = fc.nat({ max: o.cpus - 1 });
  const task = fc.record({ cpu, ops: body(shape, { task: true, kmaps: 0, atomic: false, depth: shape.localDepth }, o.ops) });
  const irq = fc.record({ cpu, kind: fc.constantFrom<'hardirq' | 'softirq'>('hardirq', 'softirq'), ops: irqOps(shape) });
  return fc.record({
    tasks: fc.array(task, { maxLength: o.cpus + 1 }),
    irqs: fc.array(irq, { maxLength: 2 }),
  });
}
