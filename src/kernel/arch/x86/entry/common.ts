/**
 * Interrupt and exception entry/exit: what each design saves and restores around a nested
 * context (kernel/entry/common.c irqentry_enter/exit with the PKS series' hooks).
 *  - V-RFC: PKRS is switched on context switch only, "not during irqs" (RFC V1 cover
 *    <20200714070220.3500839-1-ira.weiny@intel.com>);
 *  - V3, V-GLOBAL, V-TGLX: irqentry_state keeps the live value, exit writes it back; V-GLOBAL also
 *    keeps thread_pkrs and saves and zeroes dev_page_access_ref (03/58
 *    <20201009195033.3208459-4-ira.weiny@intel.com>, with WARN_ON_ONCE(ref != 0) at exit);
 *  - V10 pks_save_pt_regs(): aux.pkrs = current->thread.pkrs; pks_restore_pt_regs():
 *    current->thread.pkrs = aux.pkrs and the MSR from it (V10 21/44
 *    <20220419170649.1022246-22-ira.weiny@intel.com>).
 */
import type { ContextKind } from '../../../../protocol.js';
import { WARN_ON } from '../../../../sim/thread.js';
import { hex, PKS_INIT_VALUE, pks, threadOf, type IrqentryState, type PX } from '../include/asm/pks.js';
import { pks_write_pkrs } from '../mm/pkeys.js';

export function irqentry_enter(x: PX, kind: ContextKind): void {
  const p = pks(x);
  const cpu = x.cpu();
  const task = x.current().id;
  const t = threadOf(p, task);
  const f: IrqentryState = {
    kind, pkrs: p.pkrs_cache[cpu]!, thread_pkrs: t.pkrs, ref: t.count, before: p.msr[cpu]!, edited: false,
  };
  p.frames[cpu]!.push(f);
  x.emit({ type: 'IRQ_ENTER', task });
  if (p.cfg.entry === 'none') return;
  if (p.cfg.entry === 'thread') f.pkrs = t.pkrs;
  if (p.cfg.saveCount) t.count = 0;
  pks_write_pkrs(x, PKS_INIT_VALUE);
}

export function irqentry_exit(x: PX, kind: ContextKind): void {
  const p = pks(x);
  const cpu = x.cpu();
  const task = x.current().id;
  const t = threadOf(p, task);
  const f = p.frames[cpu]!.pop()!;
  if (p.cfg.saveCount) {
    WARN_ON(x, t.count !== 0, 'irqentry_exit', `${kind} left dev_page_access_ref = ${t.count}`);
    t.count = f.ref;
  }
  if (p.cfg.entry === 'thread') {
    t.pkrs = f.pkrs;
    pks_write_pkrs(x, t.pkrs);
  } else if (p.cfg.entry === 'live') {
    if (p.cfg.design === 'V-GLOBAL') t.pkrs = f.thread_pkrs;
    pks_write_pkrs(x, f.pkrs);
  }
  // ghost, for A-INV3 and A-INV5: what the interrupted context gets back
  if (p.msr[cpu] !== f.before && !f.edited) {
    p.ghost.restoreMismatch ??= `return from ${kind} on cpu${cpu} left PKRS ${hex(p.msr[cpu]!)}, the interrupted context had ${hex(f.before)}`;
  }
  if (t.count !== f.ref) {
    p.ghost.countMismatch ??= `return from ${kind} on cpu${cpu} changed ${x.current().name}'s grant count ${f.ref} → ${t.count}`;
  }
  x.emit({ type: 'IRQ_EXIT', task });
}
