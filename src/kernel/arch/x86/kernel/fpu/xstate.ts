/**
 * Eager PASID propagation (arch/x86/kernel/fpu/xstate.c and arch/x86/mm/pasid of the time):
 *  - IPI-5.10, 20f0afd1fb3d "x86/mmu: Allocate/free a PASID": update_pasid() on switch_fpu_finish()
 *    and in the IPI of load_pasid(): mutex_lock(&mm->context.lock); smp_store_release(&mm->pasid);
 *    on_each_cpu_mask(mm_cpumask(mm), _load_pasid, NULL, true). Disabled by tglx, 9bfecd058339.
 *  - ANDY-2020 <CALCETrWR1hL=eXAkn=OG1vtAPvC9n1jGqyNuyXpYw8QwPENo1A@mail.gmail.com>: the same
 *    update, with the mm as argument: on_each_cpu_mask(mm_cpumask(mm), load_mm_pasid, mm, true).
 */
import type { Gen } from '../../../../../sim/thread.js';
import { count } from '../../../../../sim/world.js';
import { mutex_lock, mutex_unlock } from '../../../../kernel/locking/mutex.js';
import { on_each_cpu_mask } from '../../../../kernel/smp.js';
import { pasidStr, type PTask, type X } from '../../../../mm/pasid-types.js';
import { __fpu_invalidate_fpregs_state, irq_fpu_usable, wrmsrl_pasid, xstate_write_pasid } from './core.js';

/**
 * Load `pasid` for current: into the registers when they are authoritative, else into the image,
 * invalidating the register copy when the value changes. Comparing first means the common case
 * dirties no cache line (Andy's second version); 5.10 compared the image but not the MSR.
 */
export function load_current_pasid(x: X, t: PTask, pasid: number, compare: { msr: boolean; image: boolean }): void {
  if (!t.TIF_NEED_FPU_LOAD) {
    if (!compare.msr || x.w.k.cpus[x.cpu()]!.msr !== pasid) wrmsrl_pasid(x, pasid);
    return;
  }
  if (t.fpu.image === pasid) {
    if (!compare.image) xstate_write_pasid(x, t, pasid);
    return;
  }
  __fpu_invalidate_fpregs_state(t);
  xstate_write_pasid(x, t, pasid);
}

/**
 * The IPI handler: 5.10's _load_pasid(NULL) updates whatever current runs (C.4 #4(b), (c));
 * Andy's load_mm_pasid(mm) only a user thread of that mm. A handler that honours irq_fpu_usable()
 * defers to exit_to_user_mode() when it interrupted an FPU section (the fix of C.4 #4(a)).
 */
export function pasid_ipi(mm: number) {
  return function* ipi_handler(x: X): Gen {
    const k = x.w.k;
    const cur = x.current();
    const t = k.tasks[cur.id]!;
    const fn = k.cfg.ipiTarget === 'current' ? '_load_pasid' : 'load_mm_pasid';
    yield { fn, what: `update the PASID of ${cur.name}` };
    if (t.mm < 0) return; // !current->mm
    if (k.cfg.ipiTarget === 'mm' && (t.kthread || t.mm !== mm)) return;
    const pasid = k.mms[k.cfg.ipiTarget === 'unchecked' ? mm : t.mm]!.pasid;
    if (k.cfg.ipiFpuSafe && !t.kthread && !irq_fpu_usable(x)) {
      t.pasidReload = true;
      return;
    }
    load_current_pasid(x, t, pasid, { msr: k.cfg.design === 'ANDY-2020', image: true });
  };
}

/** load_pasid(mm, pasid): publish mm->pasid, then update every CPU in mm_cpumask(mm). */
export function* load_pasid(x: X, mm: number, pasid: number): Gen {
  const k = x.w.k;
  const lock = `mm${mm}.context.lock`;
  yield* mutex_lock(x, lock, 'load_pasid');
  yield { fn: 'load_pasid', what: `smp_store_release(&mm${mm}->pasid, ${pasidStr(pasid)})` };
  k.mms[mm]!.pasid = pasid;
  yield* on_each_cpu_mask(x, `mm_cpumask(mm${mm})`, () => k.mms[mm]!.mm_cpumask, 'pasid IPI', pasid_ipi(mm));
  mutex_unlock(x, lock);
}

/** update_pasid() from switch_fpu_finish() (5.10, C.4 #4(d)): every switch re-reads mm->pasid. */
export function* update_pasid_on_switch(x: X, t: PTask): Gen {
  if (t.mm < 0) return;
  yield { fn: 'switch_fpu_finish', what: 'update_pasid(): READ_ONCE(current->mm->pasid)' };
  count(x.w, 'switch-pasid-update');
  load_current_pasid(x, t, x.w.k.mms[t.mm]!.pasid, { msr: false, image: true });
}

