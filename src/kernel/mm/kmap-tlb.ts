/**
 * flush_tlb_kernel_range() over the pkmap range, as flush_all_zero_pkmaps() calls it with kmap_lock
 * held:
 *  - x86, arch/x86/mm/tlb.c (v5.11): on_each_cpu(do_kernel_range_flush, info, 1), that is
 *    smp_call_function_many_cond() of kernel/smp.c (v5.11): WARN_ON_ONCE(irqs_disabled()) ("Can
 *    deadlock when called with interrupts disabled"; later kernels lockdep_assert_irqs_enabled()),
 *    an IPI to every other online CPU, the function run locally with irqs off, then
 *    csd_lock_wait() until every IPI handler has run, all between on_each_cpu()'s
 *    preempt_disable() and preempt_enable(). A CPU with irqs off delays its handler, and with it
 *    the flusher, who holds kmap_lock all along.
 *  - ARM with hardware broadcast, arch/arm/kernel/smp_tlb.c (!tlb_ops_need_broadcast()):
 *    local_flush_tlb_kernel_range(), a TLBI ...IS every CPU's TLB obeys before the DSB completes.
 * Abstractions: the IPI sending and the local flush are one step (no other CPU can observe the
 * local TLB in between); a handler is one step (irqs are off in it); every CPU is online (no
 * hotplug); the range covers only pkmap addresses, and the TLBs hold nothing else.
 */
import { preempt_disable, preempt_enable, WARN_ON_ONCE, type Gen } from '../../sim/thread.js';
import { tlb_flush_one } from '../../sim/tlb.js';
import { count } from '../../sim/world.js';
import type { X } from './kmap-types.js';
import { PKMAP_ADDR } from './pgtable.js';

/**
 * do_kernel_range_flush(): flush_tlb_one_kernel() of every page of the range, on the executing
 * CPU (the TLB model reaches no other); `broadcast`: ARM's local_flush_tlb_kernel_range(), whose
 * TLBI ...IS every CPU obeys.
 */
function do_kernel_range_flush(x: X, o: { broadcast?: boolean } = {}): void {
  for (let nr = 0; nr < x.w.k.LAST_PKMAP; nr++) tlb_flush_one(x, x.w.k.tlb, PKMAP_ADDR(nr), o);
}

function* ipi_flush(x: X): Gen {
  yield { fn: 'do_kernel_range_flush', what: `flush the pkmap range from cpu${x.cpu()}'s TLB` };
  do_kernel_range_flush(x);
}

export function* flush_tlb_kernel_range(x: X): Gen {
  const w = x.w;
  const k = w.k;
  count(w, 'tlb_flush');
  if (k.cfg.tlbBroadcast) {
    do_kernel_range_flush(x, { broadcast: true });
    return;
  }
  WARN_ON_ONCE(x, x.cpuState().irqsOff, 'smp_call_function_many_cond', 'called with interrupts disabled: can deadlock');
  preempt_disable(x); // on_each_cpu(): smp_call_function_many() "must be called with preemption disabled"
  const me = x.cpu();
  const done: (() => boolean)[] = [];
  // M-B5-local: the flush reaches only this CPU's TLB, as a local flush would
  if (k.cfg.mutant !== 'M-B5-local') {
    for (const c of w.cpus) {
      if (c.id === me) continue;
      done.push(x.ipi(c.id, 'do_kernel_range_flush', ipi_flush));
      count(w, 'ipi');
    }
  }
  // run_local: local_irq_save(); func(info); local_irq_restore()
  do_kernel_range_flush(x);
  // M-B5-nowait: on_each_cpu(..., wait = 0)
  if (done.length > 0 && k.cfg.mutant !== 'M-B5-nowait') {
    yield { fn: 'smp_call_function_many_cond', what: 'csd_lock_wait() for every IPI', until: () => done.every((d) => d()) };
  }
  preempt_enable(x);
}
