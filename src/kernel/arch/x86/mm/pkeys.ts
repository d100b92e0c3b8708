/**
 * Writing PKRS: arch/x86/mm/pkeys.c of the PKS series.
 *  - pks_write_pkrs() keeps a per-CPU cache so that an unchanged value skips the WRMSR (V3
 *    write_pkrs(), V10 pks_write_pkrs() in asm/pks.h);
 *  - pks_setup(), run by identify_cpu() on every CPU as it comes online: one direct WRMSR, then
 *    pks_write_pkrs() to bring the cache in sync (V8 14/44
 *    <20220127175505.851391-15-ira.weiny@intel.com>, unchanged through V10). "The initial value
 *    of the MSR is preserved on INIT": a CPU re-onlined from idle finds PKS_INIT_VALUE in both,
 *    so CPU hotplug is modelled as boot only (setup runs pks_setup() on every CPU);
 *  - pks_update_protection() edits the current context's value (V9 30/45
 *    <20220310172019.850939-31-ira.weiny@intel.com>, `__pks_update_protection()` under
 *    preempt_disable(): one step); pks_set_readwrite()/pks_set_noaccess() are its callers
 *    (pks_mk_readwrite()/pks_mk_noaccess() through V7);
 *  - pks_update_exception() also edits the value the exception will restore (V9 30/45).
 * Abstracted: CR4.PKS and the X86_FEATURE_PKS checks (always on); the WARN_ON_ONCE(pkey >=
 * PKS_KEY_MAX) range checks (callers pass valid keys).
 */
import { count } from '../../../../sim/world.js';
import {
  PKEY_NO_ACCESS, PKEY_READ_WRITE, PKS_INIT_VALUE, pkey_update_pkval, pks, threadOf, type IrqentryState, type Pks, type PksThread, type PX,
} from '../include/asm/pks.js';

/** The architectural write: one WRMSR to MSR_IA32_PKRS on this CPU. */
export function wrmsrl_pkrs(x: PX, cpu: number, v: number): void {
  pks(x).msr[cpu] = v;
  count(x.w, 'wrmsr');
}

export function pks_write_pkrs(x: PX, v: number): void {
  const p = pks(x);
  const cpu = x.cpu();
  if (p.pkrs_cache[cpu] === v) return;
  p.pkrs_cache[cpu] = v;
  wrmsrl_pkrs(x, cpu, v);
}

/** identify_cpu() → pks_setup(): the MSR comes out of reset as 0, the per-CPU cache as 0. */
export function pks_setup(x: PX): void {
  wrmsrl_pkrs(x, x.cpu(), PKS_INIT_VALUE);
  pks_write_pkrs(x, PKS_INIT_VALUE);
}

/** The value a thread runs with: V-GLOBAL merges the global grants in (MSR = saved & global). */
export function thread_pkrs_live(p: Pks, t: PksThread): number {
  return p.cfg.design === 'V-GLOBAL' ? (t.pkrs & p.pkrs_global) >>> 0 : t.pkrs;
}

/** Runs in an interrupt or exception context (not the task's own thread context). */
export const inException = (x: PX) => pks(x).frames[x.cpu()]!.length > 0;

export function pks_update_protection(x: PX, key: number, prot: number): void {
  const p = pks(x);
  if (p.cfg.design === 'V-TGLX' && inException(x)) {
    // extended regs: the grant belongs to this interrupt context, whose exit restores the
    // interrupted one; the task's saved value is not touched
    pks_write_pkrs(x, pkey_update_pkval(p.pkrs_cache[x.cpu()]!, key, prot));
    return;
  }
  // every other design edits current->thread.pkrs, even from an exception (A.4 #12)
  const t = threadOf(p, x.current().id);
  t.pkrs = pkey_update_pkval(t.pkrs, key, prot);
  pks_write_pkrs(x, thread_pkrs_live(p, t));
}

/** pks_set_readwrite() (V9+; pks_mk_readwrite() before): open `key` for the current context. */
export const pks_set_readwrite = (x: PX, key: number) => pks_update_protection(x, key, PKEY_READ_WRITE);
/** pks_set_noaccess() (V9+; pks_mk_noaccess() before). */
export const pks_set_noaccess = (x: PX, key: number) => pks_update_protection(x, key, PKEY_NO_ACCESS);

/** V10: a RELAXED fault opens the key for the thread and for the state the #PF restores. */
export function pks_update_exception(x: PX, frame: IrqentryState, key: number, prot: number): void {
  pks_update_protection(x, key, prot);
  frame.pkrs = pkey_update_pkval(frame.pkrs, key, prot);
}
