/**
 * Smaller legal kmap workloads, for the replay minimizer: drop a leaf operation, unwrap a
 * map/unmap section (keep its body), or drop a section whole. Sections are matched as
 * matchingClose() says; a candidate that would leave a section open or a close without its open
 * (dropping a kmap() section whole that another one crosses) is skipped. The pool keeps its size.
 */
import type { KmapOp } from '../src/kernel/mm/kmap-callers.js';
import { isClose, isOpen, matchingClose, unmatched, type KmapWorkload } from './kmap-programs.js';

function smallerOps(ops: readonly KmapOp[]): KmapOp[][] {
  const before = unmatched(ops);
  const out: KmapOp[][] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (isClose(op)) continue;
    if (!isOpen(op)) {
      out.push(ops.filter((_, j) => j !== i));
      continue;
    }
    const end = matchingClose(ops, i);
    if (end < 0) continue;
    out.push([...ops.slice(0, i), ...ops.slice(end + 1)]);
    out.push(ops.filter((_, j) => j !== i && j !== end));
  }
  return out.filter((c) => {
    const after = unmatched(c);
    return after.opens <= before.opens && after.closes <= before.closes;
  });
}

export function* shrinkKmapWorkload(wl: KmapWorkload): Generator<KmapWorkload> {
  for (let t = 0; t < wl.tasks.length; t++) {
    for (const ops of smallerOps(wl.tasks[t]!.ops)) yield { ...wl, tasks: wl.tasks.map((x, i) => (i === t ? { ...x, ops } : x)) };
  }
  for (let q = 0; q < wl.irqs.length; q++) {
    for (const ops of smallerOps(wl.irqs[q]!.ops)) yield { ...wl, irqs: wl.irqs.map((x, i) => (i === q ? { ...x, ops } : x)) };
  }
}
