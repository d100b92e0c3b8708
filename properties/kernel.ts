/**
 * Invariants of every protocol: what any kernel code owes the context it runs in, judged from
 * the World and the ghost records the engine keeps of each context's entry and end (a mutation
 * of the kernel model cannot switch them off). The engine applies them to every protocol, next
 * to kernel/progress (deadlock, livelock) and kernel/BUG.
 */
import type { ContextSnapshot, EndedContext } from '../src/engine/ghost.js';
import { defineInvariant, type Invariant } from '../src/protocol.js';

const COUNTS = ['preempt_count', 'migrate_disable', 'pagefault_disabled', 'softirq_disabled'] as const;

/** What a context left behind that it did not find, or null. */
function leak(e: EndedContext): string | null {
  const before: ContextSnapshot = e.kind === 'task'
    ? { ...e.entry, preempt_count: 0, migrate_disable: 0, pagefault_disabled: 0, softirq_disabled: 0, irqsOff: false, locks: [] }
    : e.entry;
  for (const c of COUNTS) {
    if (e.exit[c] !== before[c]) return `${c} ${before[c]} → ${e.exit[c]}`;
  }
  if (e.exit.irqsOff !== before.irqsOff) return `irqs ${before.irqsOff ? 'off' : 'on'} at entry, ${e.exit.irqsOff ? 'off' : 'on'} at the end`;
  const taken = e.exit.locks.filter((l) => !before.locks.includes(l));
  if (taken.length) return `still holds ${taken.join(', ')}`;
  const dropped = before.locks.filter((l) => !e.exit.locks.includes(l));
  if (dropped.length) return `released ${dropped.join(', ')}, which the interrupted code holds`;
  return null;
}

export const kernelInvariants: Invariant[] = [
  defineInvariant({
    name: 'kernel/counts',
    description: 'preempt_count, migrate_disable, pagefault_disabled and the local_bh_disable() depth never go below zero',
    check(w) {
      for (const t of w.tasks) {
        for (const c of COUNTS) if (t[c] < 0) return `${t.name}: ${c} = ${t[c]}`;
      }
    },
  }),
  defineInvariant({
    name: 'kernel/context-balance',
    description: 'a task exits, and an interrupt or exception returns, with the preemption, migration, page-fault and bottom-half counts, the irq state and the locks it found (a task: all zero, irqs on, no lock)',
    check(_w, _spec, ghost) {
      for (const e of ghost.ended) {
        if (e.kind === 'sched') continue; // a switch hands the CPU to another task by design
        const why = leak(e);
        if (why) return `${e.name} on cpu${e.cpu} ${e.kind === 'task' ? 'exited' : 'returned'}: ${why}`;
      }
    },
  }),
  defineInvariant({
    name: 'kernel/lock-owner',
    description: 'a spinlock or mutex is released only by the execution unit that holds it, never by another context and never while free (mutex_unlock() by its owner, as DEBUG_MUTEXES checks; a spin_unlock() of a lock another context holds breaks its critical section)',
    check(_w, _spec, ghost) {
      const r = ghost.releases[0];
      if (r) return `${r.by} released ${r.lock}, which ${r.holder ?? 'nobody'} holds`;
    },
  }),
  defineInvariant({
    name: 'kernel/ipi-pinned',
    description: 'an IPI is sent only from code that cannot migrate (preemption, bottom halves or irqs off, migration disabled, or an interrupt): smp_call_function_many() "must be called with preemption disabled", or "this CPU" of the mask it excludes may be another one',
    check(_w, _spec, ghost) {
      const i = ghost.ipis.find((ipi) => !ipi.pinned);
      if (i) return `${i.name} sent to cpu${i.to} by ${i.sender}`;
    },
  }),
  defineInvariant({
    name: 'kernel/quiescent',
    description: 'when every task has ended, no task is still queued on a wait queue (every waiter dequeued itself: finish_wait(), remove_wait_queue())',
    final: true,
    check(w) {
      const queued = w.tasks.find((t) => t.waitOn !== null);
      if (queued) return `${queued.name} ended queued on ${queued.waitOn}`;
    },
  }),
];
