/**
 * exit_mm() and mmput() (kernel/exit.c, kernel/fork.c, 5.10): the exiting task drops its mm
 * (current->mm = NULL, enter_lazy_tlb(): it runs on lazily until it is switched out) and the last
 * user tears the address space down with exit_mmap().
 * Abstracted: mmgrab()/mmdrop() of the lazy reference; the task's last schedule() is the engine's.
 */
import type { Gen } from '../../sim/thread.js';
import { enter_lazy_tlb } from '../arch/x86/mm/tlb.js';
import { TP_OPS } from '../arch/x86/mm/tlb-flush.js';
import { exit_mmap } from '../mm/mmap.js';
import { ttask, type X } from '../mm/text-poke-types.js';

export function* exit_mm(x: X): Gen {
  yield { fn: 'exit_mm', what: 'current->mm = NULL; enter_lazy_tlb()' };
  const t = ttask(x.w.k, x.current().id);
  const mm = t.mm;
  t.mm = -1;
  const c = x.cpuState();
  c.irqsOff = true;
  enter_lazy_tlb(x, TP_OPS);
  c.irqsOff = false;
  yield* mmput(x, mm);
}

export function* mmput(x: X, mm: number): Gen {
  yield { fn: 'mmput', what: `atomic_dec_and_test(&mm${mm}->mm_users)` };
  if (--x.w.k.mms[mm]!.mm_users === 0) yield* exit_mmap(x, mm);
}
