/**
 * The callers: kernel code that uses the kmap family the way a workload says, including
 * copy_user_highpage() (include/linux/highmem.h) and its LoongArch copy that unmapped in map
 * order (arch/loongarch/mm/init.c, Fixes 477a0ebec101, discussed in
 * <5b9c775c-35a1-4cd6-8387-00198e768b9a@redhat.com>).
 */
import type { Gen } from '../../sim/thread.js';
import { exit_to_user_mode, fork, kmap_atomic, kmap_local_page, kunmap_atomic, kunmap_local } from './highmem-local.js';
import { kmap, kmap_flush_unused, kunmap } from './highmem.js';
import type { X } from './kmap-types.js';
import { access } from './pgtable.js';

/** One caller action; tuples keep replay tokens short. */
export type KmapOp =
  | ['kmap', number] | ['kunmap', number]
  | ['local', number] | ['unlocal', number]
  | ['atomic', number] | ['unatomic', number]
  | ['read'] | ['write']
  | ['copy', number, number]
  | ['fork'] | ['user']
  | ['flush']
  | ['irq_on'] | ['irq_off'];

interface Handle { kind: 'kmap' | 'local' | 'atomic'; page: number; vaddr: number }

export function* copy_user_highpage(x: X, to: number, from: number): Gen {
  const vfrom = yield* kmap_local_page(x, from);
  const vto = yield* kmap_local_page(x, to);
  yield* access(x, 'copy_page', vfrom, from, false);
  yield* access(x, 'copy_page', vto, to, true);
  if (x.w.k.cfg.loongarchCopy) {
    yield* kunmap_local(x, vfrom, from);
    yield* kunmap_local(x, vto, to); // unreached: the statechart refuses the out-of-order unmap above, which ends the run
  } else {
    yield* kunmap_local(x, vto, to);
    yield* kunmap_local(x, vfrom, from);
  }
}

function take(held: Handle[], kind: Handle['kind'], page: number): Handle | undefined {
  for (let i = held.length - 1; i >= 0; i--) {
    if (held[i]!.kind === kind && held[i]!.page === page) return held.splice(i, 1)[0];
  }
  // unreached: workloads unmap only what they mapped (generator, shrinker and enumerator keep sections matched)
  return undefined;
}

/**
 * The caller's observation of kmap_flush_unused()'s return (harness, not modelled kernel code):
 * copies of the pkmap counts and the TLBs, for the invariant that states the postcondition. It is
 * taken in the step that released kmap_lock, so no other CPU acted between the flush and it.
 */
function observeFlushReturn(x: X): void {
  const k = x.w.k;
  const tlb = k.tlb.map((t) => Object.fromEntries(Object.entries(t).map(([key, e]) => [key, { ...e }])));
  k.flushReturn = { who: x.current().name, pkmap_count: k.pkmap_count.slice(), tlb };
}

/** Runs a caller's operations; unmaps use the address the matching map returned. */
export function* runOps(x: X, ops: readonly KmapOp[]): Gen {
  const held: Handle[] = [];
  for (const op of ops) {
    switch (op[0]) {
      case 'kmap': held.push({ kind: 'kmap', page: op[1], vaddr: yield* kmap(x, op[1]) }); break;
      case 'local': held.push({ kind: 'local', page: op[1], vaddr: yield* kmap_local_page(x, op[1]) }); break;
      case 'atomic': held.push({ kind: 'atomic', page: op[1], vaddr: yield* kmap_atomic(x, op[1]) }); break;
      case 'kunmap': if (take(held, 'kmap', op[1])) yield* kunmap(x, op[1]); break;
      case 'unlocal': { const h = take(held, 'local', op[1]); if (h) yield* kunmap_local(x, h.vaddr, h.page); break; }
      case 'unatomic': { const h = take(held, 'atomic', op[1]); if (h) yield* kunmap_atomic(x, h.vaddr, h.page); break; }
      case 'read':
      case 'write': {
        const h = held[held.length - 1];
        if (h) yield* access(x, 'memcpy', h.vaddr, h.page, op[0] === 'write');
        break;
      }
      case 'copy': yield* copy_user_highpage(x, op[1], op[2]); break;
      case 'fork': yield* fork(x, (c) => exit_to_user_mode(c)); break;
      case 'user': yield* exit_to_user_mode(x); break;
      case 'flush':
        yield* kmap_flush_unused(x);
        observeFlushReturn(x);
        break;
      case 'irq_on':
        yield { fn: 'local_irq_enable', what: 'sti' };
        x.cpuState().irqsOff = false;
        break;
      case 'irq_off':
        yield { fn: 'local_irq_disable', what: 'cli' };
        x.cpuState().irqsOff = true;
        break;
    }
  }
}

/** A task: its operations, then do_exit(). */
export function* kmapTask(x: X, ops: readonly KmapOp[]): Gen {
  yield* runOps(x, ops);
  yield { fn: 'do_exit', what: 'exit' };
  x.emit({ type: 'EXIT', task: x.current().id });
}
