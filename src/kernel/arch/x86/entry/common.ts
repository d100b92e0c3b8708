/**
 * Interrupt and exception entry/exit: what each design saves and restores around a nested
 * context (kernel/entry/common.c irqentry_enter/exit with the PKS series' hooks).
 *  - V-RFC: PKRS is switched on context switch only, "not during irqs" (RFC V1 cover
 *    <20200714070220.3500839-1-ira.weiny@intel.com>);
 *  - V3, V-GLOBAL, V-TGLX: irqentry_state keeps the live value, exit writes it back; V-GLOBAL also
 *    keeps thread_pkrs and saves and zeroes dev_page_access_ref (03/58
 *    <20201009195033.3208459-4-ira.weiny@intel.com>, with WARN_ON_ONCE(ref != 0) at exit);
 *  - V10 pks_save_pt_regs(): aux.pkrs = current->thread.pkrs, MSR = PKS_INIT_VALUE;
 *    pks_restore_pt_regs(): current->thread.pkrs = aux.pkrs and the MSR from it (V10 21/44
 *    <20220419170649.1022246-22-ira.weiny@intel.com>).
 * Only irqentry paths run these: a softirq run from local_bh_enable() (do_softirq() on the
 * task's stack) gets no save and no restore in any design, so it runs with the task's PKRS.
 * Abstracted: the entry is one step with the engine's context push (the hardware pushes
 * pt_regs, the entry code saves PKRS before anything else can run on this CPU).
 */
import type { ContextKind } from '../../../../protocol.js';
import { WARN_ON_ONCE } from '../../../../sim/thread.js';
import { PKS_INIT_VALUE, pks, threadOf, type IrqentryState, type PX } from '../include/asm/pks.js';
import { pks_write_pkrs } from '../mm/pkeys.js';

export function irqentry_enter(x: PX, kind: ContextKind): void {
  const p = pks(x);
  const cpu = x.cpu();
  const t = threadOf(p, x.current().id);
  const f: IrqentryState = { kind, pkrs: p.pkrs_cache[cpu]!, thread_pkrs: t.pkrs, ref: t.count };
  p.frames[cpu]!.push(f);
  if (p.cfg.entry === 'none') return;
  if (p.cfg.entry === 'thread') f.pkrs = t.pkrs;
  if (p.cfg.saveCount) t.count = 0;
  pks_write_pkrs(x, PKS_INIT_VALUE);
}

export function irqentry_exit(x: PX, kind: ContextKind): void {
  const p = pks(x);
  const t = threadOf(p, x.current().id);
  const f = p.frames[x.cpu()]!.pop()!;
  if (p.cfg.saveCount) {
    WARN_ON_ONCE(x, t.count !== 0, 'irqentry_exit', `${kind} left dev_page_access_ref = ${t.count}`);
    t.count = f.ref;
  }
  if (p.cfg.entry === 'thread') {
    t.pkrs = f.pkrs;
    pks_write_pkrs(x, t.pkrs);
  } else if (p.cfg.entry === 'live') {
    if (p.cfg.design === 'V-GLOBAL') t.pkrs = f.thread_pkrs;
    pks_write_pkrs(x, f.pkrs);
  }
}
