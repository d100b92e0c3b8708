/**
 * kmap workloads as data: the pages, the programs' structure (map/unmap sections matched by
 * nesting), cutting sections nested deeper than a parameter allows, and the pkmap pool size that
 * makes a workload deadlock-free.
 */
import type { KmapOp } from '../src/kernel/mm/kmap-callers.js';
import type { KmapConfig } from '../src/kernel/mm/kmap-types.js';

export interface KmapWorkload {
  /** LAST_PKMAP: pkmap slots, a power of two (LAST_PKMAP_MASK) */
  pkmap: number;
  tasks: { cpu: number; ops: KmapOp[] }[];
  irqs: { cpu: number; kind: 'hardirq' | 'softirq'; ops: KmapOp[] }[];
}

/** PageHighMem() per page before the HIGHMEM option applies: three highmem pages, one lowmem */
export const PAGES: readonly boolean[] = [true, true, true, false];
export const pageCount = () => PAGES.length;

const OPEN = new Set(['kmap', 'local', 'atomic']);
const CLOSE = new Set(['kunmap', 'unlocal', 'unatomic']);
export const isOpen = (op: KmapOp) => OPEN.has(op[0]);
export const isClose = (op: KmapOp) => CLOSE.has(op[0]);

/**
 * Index of the close matching the open at `i`, or -1 (a leaked section). Local and atomic sections
 * are matched by nesting (they are LIFO); kmap() sections by page, since kunmap()s may come in any
 * order (the pkmap pool is not a stack).
 */
export function matchingClose(ops: readonly KmapOp[], i: number): number {
  const open = ops[i]!;
  const pkmap = (op: KmapOp) => op[0] === 'kmap' || op[0] === 'kunmap';
  const same = open[0] === 'kmap' ? (op: KmapOp) => pkmap(op) && op[1] === open[1] : (op: KmapOp) => !pkmap(op);
  let depth = 0;
  for (let j = i; j < ops.length; j++) {
    const op = ops[j]!;
    if (!same(op)) continue;
    if (isOpen(op)) depth++;
    else if (isClose(op) && --depth === 0) return j;
  }
  return -1;
}

/**
 * The kmap() section `ops` (open first, close last) with its kunmap() moved to just after the first
 * kmap() of another page inside it, whose body then runs with only that one held; unchanged when
 * there is none.
 */
export function crossKmaps(ops: readonly KmapOp[]): KmapOp[] {
  const inner = ops.findIndex((op, i) => i > 0 && op[0] === 'kmap' && op[1] !== ops[0]![1]);
  if (inner < 0) return ops.slice();
  return [...ops.slice(0, inner + 1), ops[ops.length - 1]!, ...ops.slice(inner + 1, -1)];
}

/** Opens without a close (leaked sections) and closes without an open, in a program. */
export function unmatched(ops: readonly KmapOp[]): { opens: number; closes: number } {
  const closed = new Set<number>();
  let opens = 0;
  ops.forEach((op, i) => {
    if (!isOpen(op)) return;
    const j = matchingClose(ops, i);
    if (j < 0) opens++;
    else closed.add(j);
  });
  return { opens, closes: ops.filter(isClose).length - closed.size };
}

/**
 * The program with every section nested deeper than allowed unwrapped (its body kept): at most
 * `kmaps` kmap() sections and `depth` local/atomic sections open at once.
 */
export function limitNesting(ops: readonly KmapOp[], limit: { kmaps: number; depth: number }): KmapOp[] {
  const drop = new Set<number>();
  const open: { kmap: boolean; close: number }[] = [];
  ops.forEach((op, i) => {
    // kmap() sections may be closed out of order: any open one may end here
    for (let j = open.length - 1; j >= 0; j--) if (open[j]!.close < i) open.splice(j, 1);
    if (!isOpen(op)) return;
    const kmap = op[0] === 'kmap';
    const held = open.filter((s) => s.kmap === kmap).length;
    const close = matchingClose(ops, i);
    if (held >= (kmap ? limit.kmaps : limit.depth)) {
      drop.add(i);
      if (close >= 0) drop.add(close);
    } else {
      open.push({ kmap, close: close < 0 ? Infinity : close });
    }
  });
  return ops.filter((_, i) => !drop.has(i));
}

/**
 * The pkmap slots a task may hold while it asks kmap() for one more (and may sleep for it): its
 * kmap()s, plus with ARCH_NEEDS_KMAP_HIGH_GET the local mappings that may be kmap_high_get() pins.
 */
function heldWhileWaiting(ops: readonly KmapOp[], cfg: KmapConfig): number {
  let kmaps = 0;
  let locals = 0;
  let most = 0;
  for (const op of ops) {
    switch (op[0]) {
      case 'kmap': most = Math.max(most, kmaps + (cfg.ARCH_NEEDS_KMAP_HIGH_GET ? locals : 0)); kmaps++; break;
      case 'kunmap': kmaps--; break;
      case 'local': case 'atomic': locals++; break;
      case 'unlocal': case 'unatomic': locals--; break;
    }
  }
  return most;
}

/** Tasks that hold together fewer slots than LAST_PKMAP while all of them wait cannot exhaust the pool for good. */
const need = (wl: KmapWorkload, cfg: KmapConfig) => wl.tasks.reduce((n, t) => n + heldWhileWaiting(t.ops, cfg), 0) + 1;

/**
 * LAST_PKMAP that no interleaving of these tasks can exhaust for good: more slots than the tasks
 * can hold while all of them wait, so one of them always finds a slot or is woken by a holder
 * that does not wait (rounded up to a power of two).
 */
export function deadlockFreePool(wl: KmapWorkload, cfg: KmapConfig): number {
  let pool = 1;
  while (pool < need(wl, cfg)) pool *= 2;
  return pool;
}

/**
 * The workload with its tasks' kmap() nesting cut (in task order, one more level at a time while
 * it fits) so that its pool is deadlock-free; the pool stays small enough to run out.
 */
export function fitNesting(wl: KmapWorkload, cfg: KmapConfig, kmaps: number): KmapWorkload {
  const tasks = wl.tasks.map((t) => ({ ...t, ops: limitNesting(t.ops, { kmaps: 1, depth: Infinity }) }));
  for (let i = 0; i < tasks.length; i++) {
    for (let m = 2; m <= kmaps; m++) {
      const deeper = tasks.map((t, j) => (j === i ? { ...t, ops: limitNesting(wl.tasks[i]!.ops, { kmaps: m, depth: Infinity }) } : t));
      if (need({ ...wl, tasks: deeper }, cfg) > wl.pkmap) break;
      tasks[i] = deeper[i]!;
    }
  }
  return { ...wl, tasks };
}

/** How the report names an operation. */
export function describeOp(op: KmapOp): string {
  switch (op[0]) {
    case 'kmap': return `kmap(p${op[1]})`;
    case 'kunmap': return `kunmap(p${op[1]})`;
    case 'local': return `kmap_local_page(p${op[1]})`;
    case 'unlocal': return `kunmap_local(p${op[1]})`;
    case 'atomic': return `kmap_atomic(p${op[1]})`;
    case 'unatomic': return `kunmap_atomic(p${op[1]})`;
    case 'copy': return `copy_user_highpage(p${op[1]}, p${op[2]})`;
    case 'fork': return 'fork()';
    case 'user': return 'return to user';
    case 'flush': return 'kmap_flush_unused()';
    case 'irq_on': return 'local_irq_enable()';
    case 'irq_off': return 'local_irq_disable()';
    default: return op[0]; // read, write
  }
}
