/**
 * A kernel write to a page and the protection-key check on it: the MMU compares the PTE's pkey
 * with this CPU's PKRS; a denied write raises #PF with X86_PF_PK, and the design's handler
 * decides (arch/x86/mm/fault.c do_kern_addr_fault(), which with X86_PF_PK calls the PKS handler
 * first and never enables interrupts: the #PF runs with irqs off from its interrupt gate to its
 * return, as the engine's exception context does):
 *  - V10 pks_handle_key_fault() → pks_call_fault_callback() → pks_key_callbacks[pkey] (V9 19/45
 *    <20220310172019.850939-20-ira.weiny@intel.com>): PKS_KEY_PGMAP_PROTECTION has
 *    pgmap_pks_fault_callback(): STRICT oopses, RELAXED WARN_ONCE()s and calls
 *    pks_update_exception() (V9 41/45 <20220310172019.850939-42-ira.weiny@intel.com>, V10
 *    32/44 <20220419170649.1022246-33-ira.weiny@intel.com>); a key without a callback oopses;
 *  - V-TGLX: die unless page->unprotect, die in STRICT, WARN_ONCE in RELAXED, then
 *    temporary_unprotect(page, regs) on the faulting context's saved state
 *    (<878s9vqkrk.fsf@nanos.tec.linutronix.de>, <873602redz.fsf@nanos.tec.linutronix.de>);
 *  - V-GLOBAL: a fault on a globally granted key is spurious: irq_state->pkrs &= global (01/58);
 *  - V-RFC, V3: every PK fault oopses.
 * Abstracted: the page-table walk that recovers the pkey is a lookup of the page's key; the
 * faulting address is the page. An oops does not kill the task (it is recorded and the write
 * skipped), so that the rest of the run stays checkable. A forgiven fault retries the instruction
 * for as long as it faults: a handler that forgives without opening the key loops, and the
 * engine reports that as kernel/progress (livelock) within its step budget.
 */
import { count } from '../../../../sim/world.js';
import { WARN_ON_ONCE, type Gen } from '../../../../sim/thread.js';
import {
  PKEY_READ_WRITE, PKS_KEY_PGMAP, pkrsAllowsWrite, pkrsMask, pks, threadOf, type IrqentryState, type PX,
} from '../include/asm/pks.js';
import { pks_update_exception } from './pkeys.js';

export interface FaultResult { verdict: 'die' | 'forgiven' | 'spurious' }
const DIE: FaultResult = { verdict: 'die' };
const FORGIVEN: FaultResult = { verdict: 'forgiven' };

/** The key in the PTE of `page` as mapped now: memremap.pks_fault_mode=off maps pgmap pages without it. */
export function pte_pkey(x: PX, page: number): number {
  const p = pks(x);
  const key = p.pkey[page]!;
  return key === PKS_KEY_PGMAP && p.mode === 'OFF' ? 0 : key;
}

function pgmap_pks_fault_callback(x: PX, f: IrqentryState): FaultResult {
  const p = pks(x);
  // "In strict mode just let the fault handler oops"
  if (p.mode === 'STRICT' && p.cfg.mutant !== 'M-A6-strict-as-relaxed') return DIE;
  WARN_ON_ONCE(x, true, 'pgmap_pks_fault_callback', 'Page map protection being disabled');
  pks_update_exception(x, f, PKS_KEY_PGMAP, PKEY_READ_WRITE);
  return FORGIVEN;
}

/** pks_call_fault_callback(): only PKS_KEY_PGMAP_PROTECTION registers one here. */
function pks_handle_key_fault(x: PX, f: IrqentryState, key: number): FaultResult {
  return key === PKS_KEY_PGMAP ? pgmap_pks_fault_callback(x, f) : DIE;
}

/** tglx: "Return from #PF will establish this for the faulting context". */
function temporary_unprotect(x: PX, f: IrqentryState, key: number): void {
  const p = pks(x);
  f.pkrs = (f.pkrs & ~pkrsMask(key)) >>> 0;
  // M-A4: written to the thread's saved value, it outlives the faulting context
  if (p.cfg.mutant === 'M-A4-thread' && p.frames[x.cpu()]!.length === 1) {
    const t = threadOf(p, x.current().id);
    t.pkrs = (t.pkrs & ~pkrsMask(key)) >>> 0;
  }
}

function tglx_pks_fault(x: PX, f: IrqentryState, page: number, key: number): FaultResult {
  const p = pks(x);
  if (!p.unprotect[page] && p.cfg.mutant !== 'M-A4-any') return DIE;
  // unreached: STRICT V-TGLX callers make no kmap() (unsupported there), so no page has unprotect > 0
  if (p.mode === 'STRICT') return DIE;
  if (p.mode === 'RELAXED') WARN_ON_ONCE(x, true, 'tglx_pks_fault', `PKS fault on kmap()ed p${page} outside the mapping context`);
  temporary_unprotect(x, f, key);
  return FORGIVEN;
}

function* do_kern_addr_fault(x: PX, page: number, key: number): Gen<FaultResult> {
  yield { fn: 'exc_page_fault', what: `#PF X86_PF_PK|X86_PF_WRITE on p${page} (pkey ${key})` };
  count(x.w, 'pk_fault');
  const p = pks(x);
  const f = p.frames[x.cpu()]!.at(-1)!; // the #PF's saved state: the faulting context's PKRS
  const forgiven = (r: FaultResult) => {
    if (r.verdict === 'forgiven') x.emit({ type: 'FORGIVE', task: x.current().id, page });
    return r;
  };
  switch (p.cfg.design) {
    case 'V10': return forgiven(pks_handle_key_fault(x, f, key));
    case 'V-TGLX': return forgiven(tglx_pks_fault(x, f, page, key));
    case 'V-GLOBAL':
      if (pkrsAllowsWrite(p.pkrs_global, key)) {
        f.pkrs = (f.pkrs & p.pkrs_global) >>> 0;
        return { verdict: 'spurious' };
      }
      return DIE;
    default: return DIE;
  }
}

/** An address borrowed from another context: held for one try of the instruction. */
export interface Borrow { take(): boolean; release(): void }
const own: Borrow = { take: () => true, release: () => {} };

/**
 * A write of `page` by kernel code (memcpy through a kmap address, or a stray pointer). A
 * forgiven fault retries the instruction; a borrowed address is re-taken at each try.
 */
export function* pks_write(x: PX, page: number, via: 'map' | 'stray', fn: string, borrow: Borrow = own): Gen {
  for (;;) {
    yield { fn, what: `write p${page}` };
    if (!borrow.take()) return;
    const r = yield* pks_write_once(x, page, via);
    borrow.release();
    if (r !== 'retry') return;
  }
}

function* pks_write_once(x: PX, page: number, via: 'map' | 'stray'): Gen<'done' | 'retry'> {
  const p = pks(x);
  const cpu = x.cpu();
  const task = x.current().id;
  const key = pte_pkey(x, page);
  if (key === 0 || pkrsAllowsWrite(p.msr[cpu]!, key)) {
    x.w.k.data[page]!++;
    x.emit({ type: 'WRITE', task, cpu, page, via, ok: true });
    return 'done';
  }
  const r = yield* x.exception('#PF', (xe) => do_kern_addr_fault(xe, page, key));
  if (r.verdict === 'die') {
    count(x.w, 'oops');
    x.warn(`BUG: unable to handle page fault for p${page}: X86_PF_PK (oops in a ${x.cpuState().ctx.at(-1)!.kind} on ${x.current().name})`);
    x.emit({ type: 'WRITE', task, cpu, page, via, ok: false });
    return 'done';
  }
  return 'retry';
}
