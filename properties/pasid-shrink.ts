/**
 * Smaller PASID workloads, for the replay minimizer: drop one operation anywhere (also inside a
 * clone or fork, or in a thread the process has from the start), hoist a child's operations into
 * its parent in place of the clone/fork, drop such a thread, drop a SIGSEGV handler, or lower how
 * often an interrupt recurs. Every candidate is a legal workload:
 * no op depends on another (a close with nothing open, an ENQCMD with no portal are legal).
 */
import type { UserOp } from './pasid-programs.js';
import type { PasidWorkload } from './pasid-workload.js';

function smallerOps(ops: readonly UserOp[]): UserOp[][] {
  const out: UserOp[][] = [];
  ops.forEach((op, i) => {
    const without = ops.filter((_, j) => j !== i);
    out.push(without);
    if (op.length !== 2) return;
    out.push([...ops.slice(0, i), ...op[1], ...ops.slice(i + 1)]);
    for (const sub of smallerOps(op[1])) out.push(ops.map((o, j) => (j === i ? [op[0], sub] as UserOp : o)));
  });
  return out;
}

export function* shrinkPasidWorkload(wl: PasidWorkload): Iterable<PasidWorkload> {
  const withTask = (i: number, t: PasidWorkload['tasks'][number]) => ({ ...wl, tasks: wl.tasks.map((u, j) => (j === i ? t : u)) });
  for (const [i, t] of wl.tasks.entries()) {
    for (const ops of smallerOps(t.ops)) {
      if (ops.length > 0) yield withTask(i, { ...t, ops });
    }
    const threads = t.threads ?? [];
    for (const [j, u] of threads.entries()) {
      yield withTask(i, { ...t, threads: threads.filter((_, k) => k !== j) });
      for (const ops of smallerOps(u.ops)) yield withTask(i, { ...t, threads: threads.map((v, k) => (k === j ? { ...v, ops } : v)) });
    }
    if (t.handler) yield withTask(i, { cpu: t.cpu, ops: t.ops, ...(threads.length ? { threads } : {}) });
  }
  for (const [i, q] of wl.irqs.entries()) {
    if (q.times > 1) yield { ...wl, irqs: wl.irqs.map((r, j) => (j === i ? { ...r, times: q.times - 1 } : r)) };
  }
}
