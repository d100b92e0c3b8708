/**
 * Every small kmap workload, smallest first, for `kcheck prove` (which explores every
 * interleaving of each). The alphabet, kept small on purpose:
 *  - an *operation* is one call a program makes: kmap(p), kunmap(p), kmap_local_page(p),
 *    kunmap_local(p), kmap_atomic(p), kunmap_atomic(p) on the highmem pages p0 and p1, a write
 *    through the innermost mapping held, kmap_flush_unused(); and where the variant's callers are
 *    the bug, fork(), return to user, copy_user_highpage(p1, p0), local_irq_enable/disable() in a
 *    handler, kmap() inside kmap_atomic(), or one "nest KM_MAX_IDX kmap_local_page()s and unmap
 *    them" (counted as one);
 *  - a task program has at most `ops` operations, every section it opens closed (local sections
 *    in LIFO order, kmap() sections in any order), kmap() never inside kmap_atomic(), nesting
 *    within the `kmaps` and `local-depth` parameters;
 *  - a workload has 1..`cpus` tasks, one per CPU (CPUs are symmetric, so the programs are taken as
 *    a multiset), and at most one hardirq handler on cpu0 with at most `ops` operations (one local
 *    level; sections closed unless the variant's handlers leak);
 *  - LAST_PKMAP is every power of two the PKMAP_ORDER parameter allows that is not below the
 *    deadlock-free bound, unless the variant's callers are the bug.
 * Workloads come by total operations, then by number of programs.
 */
import type { ProofBounds } from '../src/protocol.js';
import type { KmapOp } from '../src/kernel/mm/kmap-callers.js';
import { KM_MAX_IDX, type KmapConfig, type KmapWorkloadShape } from '../src/kernel/mm/kmap-types.js';
import { deadlockFreePool, type KmapWorkload } from './kmap-programs.js';
import { KMAP_PARAMETERS } from './kmap-workload.js';

type Bounds = ProofBounds<{ kernel: KmapConfig; shape: KmapWorkloadShape }>;
type Kind = 'kmap' | 'local' | 'atomic';
const CLOSE: Record<Kind, 'kunmap' | 'unlocal' | 'unatomic'> = { kmap: 'kunmap', local: 'unlocal', atomic: 'unatomic' };
const PAGES = [0, 1];

interface Alphabet { task: boolean; kmaps: number; depth: number; leaves: KmapOp[][]; leaks: boolean; kmapInAtomic?: boolean }

/** Every legal program of exactly `n` operations over the alphabet. */
function* programs(a: Alphabet, n: number, open: { kind: Kind; page: number }[] = []): Generator<KmapOp[]> {
  if (n === 0) {
    if (open.length === 0 || (a.leaks && open.length === 1)) yield [];
    return;
  }
  const top = open[open.length - 1];
  if (top) for (const rest of programs(a, n - 1, open.slice(0, -1))) yield [[CLOSE[top.kind], top.page] as KmapOp, ...rest];
  // kunmap() may undo any kmap() still held, not only the innermost section
  for (let i = 0; i < open.length - 1; i++) {
    const s = open[i]!;
    if (s.kind !== 'kmap' || open.slice(i + 1).some((o) => o.kind === 'kmap' && o.page === s.page)) continue;
    for (const rest of programs(a, n - 1, open.filter((_, j) => j !== i))) yield [['kunmap', s.page] as KmapOp, ...rest];
  }
  const atomic = open.some((s) => s.kind === 'atomic');
  for (const leaf of a.leaves) {
    const kind = leaf[0]![0];
    if (kind === 'write' && open.length === 0) continue; // a write needs a mapping: without one it is a no-op
    if ((kind === 'flush' || kind === 'fork' || kind === 'user') && atomic) continue;
    for (const rest of programs(a, n - 1, open)) yield [...leaf, ...rest];
  }
  const kmaps = open.filter((s) => s.kind === 'kmap').length;
  for (const kind of ['kmap', 'local', 'atomic'] as const) {
    if (kind === 'kmap' ? !a.task || (atomic && !a.kmapInAtomic) || kmaps >= a.kmaps : open.length - kmaps >= a.depth) continue;
    for (const page of PAGES) {
      for (const rest of programs(a, n - 1, [...open, { kind, page }])) yield [[kind, page] as KmapOp, ...rest];
    }
  }
}

/** Non-decreasing tuples of `k` lengths in [1, max] summing to `sum`. */
function* lengths(k: number, sum: number, min: number, max: number): Generator<number[]> {
  if (k === 0) {
    if (sum === 0) yield [];
    return;
  }
  for (let l = min; l <= Math.min(max, sum); l++) for (const rest of lengths(k - 1, sum - l, l, max)) yield [l, ...rest];
}

/** Multisets: for equal lengths, program indices non-decreasing. */
function* pick(byLen: KmapOp[][][], ls: number[], i = 0, from = 0): Generator<KmapOp[][]> {
  if (i === ls.length) {
    yield [];
    return;
  }
  const list = byLen[ls[i]!]!;
  const start = i > 0 && ls[i - 1] === ls[i] ? from : 0;
  for (let j = start; j < list.length; j++) for (const rest of pick(byLen, ls, i + 1, j)) yield [list[j]!, ...rest];
}

const fixedOr = (b: Bounds, name: string) => b.params?.[name] ?? KMAP_PARAMETERS.find((p) => p.name === name)!.max;

export function* enumerateKmap(b: Bounds): Generator<KmapWorkload> {
  const { kernel, shape } = b.variant.config;
  const extra: KmapOp[][] = [];
  if (shape.leakAcrossUser) extra.push([['fork']], [['user']]);
  if (kernel.loongarchCopy) extra.push([['copy', 1, 0]]);
  if (shape.deepNest) {
    const deep = KM_MAX_IDX(false);
    extra.push([...Array.from({ length: deep }, (): KmapOp => ['local', 0]), ...Array.from({ length: deep }, (): KmapOp => ['unlocal', 0])]);
  }
  const task: Alphabet = { task: true, kmaps: fixedOr(b, 'kmaps'), depth: fixedOr(b, 'local-depth'), leaves: [[['write']], [['flush']], ...extra], leaks: false, kmapInAtomic: shape.kmapInAtomic };
  const handler: Alphabet = {
    task: false, kmaps: 0, depth: 1, leaks: shape.irqLeak,
    leaves: [[['write']], ...(shape.irqsOnInHardirq ? [[['irq_on']], [['irq_off']]] as KmapOp[][] : [])],
  };
  const byLen = Array.from({ length: b.ops + 1 }, (_, n) => [...programs(task, n)]);
  const handlers = fixedOr(b, 'irqs') > 0 ? Array.from({ length: b.ops + 1 }, (_, n) => [...programs(handler, n)]) : [[]];
  const order = KMAP_PARAMETERS.find((p) => p.name === 'PKMAP_ORDER')!;
  const orders = b.params?.PKMAP_ORDER !== undefined ? [b.params.PKMAP_ORDER] : Array.from({ length: order.max - order.min + 1 }, (_, i) => order.min + i);
  for (let total = 1; total <= (b.cpus + 1) * b.ops; total++) {
    for (let k = 1; k <= b.cpus; k++) {
      for (let h = 0; h < handlers.length && h <= total; h++) {
        for (const irqOps of h === 0 ? [null] : handlers[h]!) {
          for (const ls of lengths(k, total - h, 1, b.ops)) {
            for (const progs of pick(byLen, ls)) {
              const base: KmapWorkload = {
                pkmap: 1,
                tasks: progs.map((ops, i) => ({ cpu: i, ops })),
                irqs: irqOps ? [{ cpu: 0, kind: 'hardirq', ops: irqOps }] : [],
              };
              yield* pools(base, orders, shape.nestedKmap || b.params?.PKMAP_ORDER !== undefined ? 1 : deadlockFreePool(base, kernel));
            }
          }
        }
      }
    }
  }
}

/** The workload once per allowed LAST_PKMAP at least `least` (or once at `least` if none is). */
function* pools(base: KmapWorkload, orders: number[], least: number): Generator<KmapWorkload> {
  const sizes = orders.map((o) => 1 << o).filter((n) => n >= least);
  for (const pkmap of sizes.length ? sizes : [least]) yield { ...base, pkmap };
}
