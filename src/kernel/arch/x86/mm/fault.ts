/**
 * A kernel write to a page and the protection-key check on it: the MMU compares the PTE's pkey
 * with this CPU's PKRS; a denied write raises #PF with X86_PF_PK, and the design's handler
 * decides (arch/x86/mm/fault.c do_kern_addr_fault()):
 *  - V10 pks_handle_key_fault() → pgmap_pks_fault_callback(): STRICT oopses, RELAXED warns once
 *    and calls pks_update_exception() (V10 32/44 <20220419170649.1022246-33-ira.weiny@intel.com>);
 *  - V-TGLX: die unless page->unprotect, die in STRICT, WARN_ONCE in RELAXED, then
 *    temporary_unprotect(page, regs) on the faulting context's saved state
 *    (<878s9vqkrk.fsf@nanos.tec.linutronix.de>, <873602redz.fsf@nanos.tec.linutronix.de>);
 *  - V-GLOBAL: a fault on a globally granted key is spurious: irq_state->pkrs &= global (01/58);
 *  - V-RFC, V3: every PK fault oopses.
 */
import { count } from '../../../../sim/world.js';
import type { Gen } from '../../../../sim/thread.js';
import { PKEY_READ_WRITE, pkrsAllowsWrite, pkrsMask, pks, threadOf, type IrqentryState, type PX } from '../include/asm/pks.js';
import { pks_update_exception } from './pkeys.js';

export interface FaultResult { verdict: 'die' | 'forgiven' | 'spurious' }

/** WARN_ONCE(): only the first fault splats; A-INV1 (b) asks that a WARN was logged. */
function warn_once(x: PX, msg: string): void {
  const p = pks(x);
  if (p.warned) return;
  p.warned = true;
  x.warn(msg);
}

function pgmap_pks_fault_callback(x: PX, f: IrqentryState, key: number): FaultResult {
  const p = pks(x);
  if (p.mode === 'STRICT' && p.cfg.mutant !== 'M-A6-strict-as-relaxed') return { verdict: 'die' };
  warn_once(x, 'WARNING: Page map protection being disabled');
  pks_update_exception(x, f, key, PKEY_READ_WRITE);
  return { verdict: 'forgiven' };
}

/** tglx: "Return from #PF will establish this for the faulting context". */
function temporary_unprotect(x: PX, f: IrqentryState, key: number): void {
  const p = pks(x);
  f.pkrs = (f.pkrs & ~pkrsMask(key)) >>> 0;
  f.edited = true;
  // M-A4: written to the thread's saved value, it outlives the faulting context
  if (p.cfg.mutant === 'M-A4-thread' && p.frames[x.cpu()]!.length === 1) {
    const t = threadOf(p, x.current().id);
    t.pkrs = (t.pkrs & ~pkrsMask(key)) >>> 0;
  }
}

function tglx_pks_fault(x: PX, f: IrqentryState, page: number, key: number): FaultResult {
  const p = pks(x);
  if (!p.unprotect[page] && p.cfg.mutant !== 'M-A4-any') return { verdict: 'die' };
  if (p.mode === 'STRICT') return { verdict: 'die' };
  if (p.mode === 'RELAXED') warn_once(x, `WARNING: PKS fault on kmap()ed p${page} outside the mapping context`);
  temporary_unprotect(x, f, key);
  return { verdict: 'forgiven' };
}

function* do_kern_addr_fault(x: PX, page: number, key: number): Gen<FaultResult> {
  yield { fn: 'exc_page_fault', what: `#PF X86_PF_PK|X86_PF_WRITE on p${page} (pkey ${key})` };
  count(x.w, 'pk_fault');
  const p = pks(x);
  const f = p.frames[x.cpu()]!.at(-1)!; // the #PF's saved state: the faulting context's PKRS
  const forgiven = (r: FaultResult) => {
    if (r.verdict === 'forgiven') x.emit({ type: 'FORGIVE', task: x.current().id, page, warned: p.warned });
    return r;
  };
  switch (p.cfg.design) {
    case 'V10': return forgiven(pgmap_pks_fault_callback(x, f, key));
    case 'V-TGLX': return forgiven(tglx_pks_fault(x, f, page, key));
    case 'V-GLOBAL':
      if (pkrsAllowsWrite(p.pkrs_global, key)) {
        f.pkrs = (f.pkrs & p.pkrs_global) >>> 0;
        f.edited = true;
        return { verdict: 'spurious' };
      }
      return { verdict: 'die' };
    default: return { verdict: 'die' };
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
  const switchedOut = () => pks(x).schedOuts[x.current().id] ?? 0;
  let seen = -1;
  for (let tries = 0; ; tries++) {
    yield { fn, what: `write p${page}` };
    if (!borrow.take()) return;
    // a context left in between lost its temporary unprotect: this try starts afresh
    if (switchedOut() !== seen) tries = 0;
    seen = switchedOut();
    const r = yield* pks_write_once(x, page, via, tries);
    borrow.release();
    if (r !== 'retry') return;
  }
}

function* pks_write_once(x: PX, page: number, via: 'map' | 'stray', tries: number): Gen<'done' | 'retry'> {
  const p = pks(x);
  const cpu = x.cpu();
  const task = x.current().id;
  const key = p.mode === 'OFF' ? 0 : p.pkey[page]!;
  if (key === 0 || pkrsAllowsWrite(p.msr[cpu]!, key)) {
    x.w.k.data[page]!++;
    x.emit({ type: 'WRITE', task, cpu, page, via, ok: true });
    return 'done';
  }
  if (tries >= 2) {
    p.ghost.faultLoop ??= `${x.current().name} keeps faulting on p${page} after the fault was forgiven`;
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
