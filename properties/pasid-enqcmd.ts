/**
 * ENQCMD, the instruction (Intel ISE; arch/x86/include/asm/special_insns.h): hardware, so it is
 * modelled here with the environment and not in the kernel model, and what it observes (the
 * descriptors a device receives, the SIGSEGVs it ends in) is recorded by this code, never by
 * kernel code under test. A user-mode store of a descriptor to a device portal, tagged by the CPU
 * with IA32_PASID. With the VALID bit clear, or a malformed descriptor, it raises #GP with no
 * error code to say why (Fenghua <20200801004208.GA324365@otcwcpicx6.sc.intel.com>), and the
 * kernel's handler decides; an unfixed #GP is SIGSEGV. A destination that is not a portal mapped
 * in the thread's mm faults (#PF, SIGSEGV).
 * Abstraction: the #GP for an invalid PASID is raised before the destination is translated; the
 * #PF path of the kernel is not modelled (the fault is a SIGSEGV at once).
 */
import type { Gen } from '../src/sim/thread.js';
import { count } from '../src/sim/world.js';
import { exc_general_protection } from '../src/kernel/arch/x86/kernel/traps.js';
import { INVALID, ptask, type Segv, type X } from '../src/kernel/mm/pasid-types.js';

export type EnqcmdResult = 'submitted' | 'sigsegv';

/** `portal`: the file whose portal the user program believes mapped at the destination, or -1. */
export function* enqcmd(x: X, o: { malformed: boolean; portal: number }): Gen<EnqcmdResult> {
  const k = x.w.k;
  for (;;) {
    yield { fn: 'ENQCMD', what: `user mode: ENQCMD ${o.malformed ? 'with a malformed descriptor ' : ''}to ${o.portal < 0 ? 'an address with no portal' : `the portal of file${o.portal}`}` };
    const id = x.current().id;
    const t = ptask(x, id);
    const cpu = x.cpuState();
    const m = k.mms[t.mm]!;
    const mapped = o.portal >= 0 && m.portals.includes(o.portal);
    const segv: Segv = { task: id, wellFormed: !o.malformed, portal: mapped, mmPasid: m.pasid };
    const msr = k.cpus[cpu.id]!.msr;
    if (!o.malformed && msr !== INVALID) {
      if (!mapped) {
        k.observed.segv.push(segv);
        return 'sigsegv';
      }
      const dev = k.files[o.portal]!.dev;
      count(x.w, 'enqcmd');
      k.observed.received.push({
        task: id, mm: k.cpus[cpu.id]!.loaded_mm, pasid: msr, dev, mmPasid: m.pasid,
        tableMm: k.pasidTable[dev]![msr]?.mm ?? -1, fromUser: cpu.ctx.length === 1 && !t.kthread && t.inUser,
      });
      x.emit({ type: 'SUBMIT', task: id, mm: t.mm, pasid: msr });
      return 'submitted';
    }
    const fixed = yield* x.exception('#GP', exc_general_protection);
    if (!fixed) {
      k.observed.segv.push(segv);
      return 'sigsegv';
    }
  }
}
