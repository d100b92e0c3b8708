/**
 * ENQCMD (arch/x86/include/asm/special_insns.h; Intel ISE): a user-mode store of a descriptor
 * to the device portal, tagged by the CPU with IA32_PASID. With the VALID bit clear it raises
 * #GP, with no error code to say why (Fenghua <20200801004208.GA324365@otcwcpicx6.sc.intel.com>).
 * A malformed descriptor also raises #GP: the fixup cannot tell the two apart.
 */
import { count } from '../../../../sim/world.js';
import type { Gen } from '../../../../sim/thread.js';
import { exc_general_protection } from '../../../arch/x86/kernel/traps.js';
import { INVALID, ptask, type X } from '../../../mm/pasid-types.js';

export type EnqcmdResult = 'submitted' | 'sigsegv';

export function* enqcmd(x: X, malformed: boolean): Gen<EnqcmdResult> {
  const k = x.w.k;
  for (;;) {
    yield { fn: 'ENQCMD', what: malformed ? 'user mode: ENQCMD with a malformed descriptor' : 'user mode: ENQCMD to the portal' };
    const id = x.current().id;
    const t = ptask(x, id);
    const m = k.mms[t.mm]!;
    const portal = m.portals[m.portals.length - 1];
    if (portal === undefined) {
      // #PF on the unmapped portal: SIGSEGV, nothing reaches a device
      t.sigsegv = { valid: false, mmPasid: m.pasid, portal: false };
      return 'sigsegv';
    }
    const msr = k.cpus[x.cpu()]!.msr;
    if (!malformed && msr !== INVALID) {
      const dev = k.files[portal]!.dev;
      count(x.w, 'enqcmd');
      k.received.push({ task: id, mm: t.mm, pasid: msr, dev, mmPasid: m.pasid, tableMm: k.pasidTable[dev]![msr]?.mm ?? -1, fromUser: t.inUser && !t.kthread });
      x.emit({ type: 'SUBMIT', task: id, mm: t.mm, pasid: msr });
      return 'submitted';
    }
    const fixed = yield* x.exception('#GP', exc_general_protection);
    if (!fixed) {
      t.sigsegv = { valid: !malformed, mmPasid: m.pasid, portal: true };
      return 'sigsegv';
    }
  }
}
