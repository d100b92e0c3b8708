/**
 * switch_mm_irqs_off() (arch/x86/mm/tlb.c, 5.10): mm_cpumask bookkeeping (the bit of a CPU is
 * set while it runs, or lazily keeps, the mm; cleared when it switches to another mm), and
 * Andy Lutomirski's load_mm_pasid() "at the end of the function where it's protected by
 * mm_cpumask" <CALCETrWR1hL=eXAkn=OG1vtAPvC9n1jGqyNuyXpYw8QwPENo1A@mail.gmail.com>: first
 * "xstate[PASID] = READ_ONCE(next->context.pasid)" ("one cache miss"), then the compare-before-write
 * "so we don't dirty the cache line in the common case".
 */
import type { Gen } from '../../../../sim/thread.js';
import { count } from '../../../../sim/world.js';
import { INVALID, type X } from '../../../mm/pasid-types.js';
import { load_current_pasid } from '../kernel/fpu/xstate.js';

export function* switch_mm_irqs_off(x: X, next: number): Gen {
  const k = x.w.k;
  const cpu = x.cpu();
  const c = k.cpus[cpu]!;
  const t = k.tasks[next]!;
  // a kthread without an mm keeps the previous one loaded (lazy TLB mode)
  const mm = t.mm >= 0 ? t.mm : c.loaded_mm;
  const andy = k.cfg.design === 'ANDY-2020' && !t.kthread && mm >= 0;
  let pasid = INVALID;
  if (andy && !k.cfg.switchReadsAfterMask) {
    yield { fn: 'load_mm_pasid', what: `pasid = next->context.pasid (mm${mm}), before mm_cpumask is set` };
    pasid = k.mms[mm]!.pasid;
  }
  if (mm !== c.loaded_mm) {
    yield { fn: 'switch_mm_irqs_off', what: `cpumask_set_cpu(${cpu}, mm_cpumask(mm${mm})); load CR3` };
    if (c.loaded_mm >= 0) k.mms[c.loaded_mm]!.mm_cpumask[cpu] = false;
    k.mms[mm]!.mm_cpumask[cpu] = true;
    c.loaded_mm = mm;
  }
  if (!andy) return;
  if (k.cfg.switchReadsAfterMask) {
    yield { fn: 'load_mm_pasid', what: `READ_ONCE(next->context.pasid) (mm${mm})` };
    pasid = k.mms[mm]!.pasid;
  }
  // the task was switched out, so TIF_NEED_FPU_LOAD is set: the image is what counts
  count(x.w, 'switch-pasid-update');
  load_current_pasid(x, t, pasid, { msr: true, image: k.cfg.compareBeforeWrite });
}
