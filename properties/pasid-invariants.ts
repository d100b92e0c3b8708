/**
 * Invariants C-INV1..C-INV8 of pasid.md C.3, stated from their meaning, plus the observable
 * checks (what a device receives, whether a thread was killed for a legitimate ENQCMD) and the
 * reference-count and quiescence checks of pasid-lifetime.ts. Invariants with no check are
 * enforced by the statechart (pasid.machine.ts refuses the event). None of them reads anything
 * kernel code computes about itself: they read the World, the hardware observations that
 * pasid-enqcmd.ts records, the engine's ghost records, and (C-INV3) the statechart's record of
 * activations, compared with the World's.
 */
import type { PasidSpecContext } from '../model/pasid.machine.js';
import { INVALID, pasidStr } from '../src/kernel/mm/pasid-types.js';
import { fpuCoherence } from './pasid-coherence.js';
import { lifetimeInvariants } from './pasid-lifetime.js';
import { inUserMode, inv, type Inv, type W } from './pasid-world.js';

/**
 * The statechart judges an activation only if it hears of it (ACTIVATE): compare what it heard
 * with the World. A thread that still has an mm (before exit_mm(), which ends its user life) has
 * pasid_activated set exactly when the statechart accepted its activation and has not forgotten
 * it at a FORK, CLONE, EXEC or EXIT. A fixup that sets the flag unreported, or a report of an
 * activation that did not happen (or one forgotten while the thread still runs), shows here.
 */
function activationsJudged(w: W, spec: { context: PasidSpecContext }): string | undefined {
  for (const task of w.tasks) {
    const t = w.k.tasks[task.id];
    if (!t || t.kthread || t.mm < 0 || task.state === 'done') continue;
    const judged = spec.context.activated[task.id] === true;
    if (t.activated && !judged) return `${task.name} has pasid_activated set, but the statechart heard of no activation of it (no ACTIVATE): the activation was never judged`;
    if (!t.activated && judged) return `the statechart counts ${task.name} as activated (ACTIVATE), but its pasid_activated is clear`;
  }
}

export const pasidInvariants: Inv[] = [
  inv({
    name: 'pasid/C-INV1-tagging',
    description: "every ENQCMD that completes is tagged with the submitting thread's own mm's PASID, and that PASID is bound to that mm (enforced by the statechart at SUBMIT)",
  }),
  inv({
    name: 'pasid/device-tagging',
    description: "observable: every descriptor a device receives carries the submitter's mm->pasid, and the device's PASID table maps that PASID to the submitter's mm",
    check(w) {
      for (const d of w.k.observed.received) {
        const who = w.tasks[d.task]?.name ?? `task ${d.task}`;
        if (d.pasid !== d.mmPasid) return `dev${d.dev} received a descriptor from ${who} (mm${d.mm}, mm->pasid ${pasidStr(d.mmPasid)}) tagged ${pasidStr(d.pasid)}`;
        if (d.tableMm !== d.mm) return `dev${d.dev} received PASID ${d.pasid} from ${who} of mm${d.mm}, but its PASID table maps ${d.pasid} to ${d.tableMm < 0 ? 'nothing' : `mm${d.tableMm}`}`;
      }
    },
  }),
  inv({
    name: 'pasid/C-INV2-lifetime',
    description: 'a PASID is not freed or reassigned while a thread whose mm has a portal mapped holds it, while a device has it programmed, or while an IOMMU driver holds the mm: a thread running user code in an mm with a portal holds no PASID or its mm\'s; device entries name live mms that own their PASID; a PASID is freed only once no device has it programmed, and unbind tears down what bind programmed (statechart at FREE, UNBIND); an mm is not freed while a device uses it',
    check(w) {
      const k = w.k;
      for (const { id, name, msr: p } of inUserMode(w)) {
        const t = k.tasks[id]!;
        const m = k.mms[t.mm]!;
        if (m.portals.length > 0 && p !== INVALID && p !== m.pasid) {
          return `${name}'s mm${t.mm} has a portal mapped and mm->pasid ${pasidStr(m.pasid)}, but ${name} holds the stale PASID ${pasidStr(p)}`;
        }
      }
      for (let dev = 0; dev < k.pasidTable.length; dev++) {
        for (const [p, e] of Object.entries(k.pasidTable[dev]!)) {
          if (k.mms[e.mm]!.freed) return `dev${dev} still has PASID ${p} programmed for mm${e.mm}, which has been freed (__mmdrop)`;
          const owner = k.ioasid.owner[Number(p)];
          if (!owner) return `dev${dev} still has PASID ${p} programmed for mm${e.mm}, but the PASID has been freed`;
          if (owner.mm !== e.mm) return `PASID ${p} was reallocated to mm${owner.mm} while dev${dev} still has it programmed for mm${e.mm}`;
        }
      }
    },
  }),
  inv({
    name: 'pasid/C-INV3-fixup',
    description: 'the #GP fixup activates a thread at most once, only for its mm\'s valid PASID (statechart at ACTIVATE); every activation is one the statechart judged: a thread that still has an mm has pasid_activated set exactly when the statechart saw it activated; a #GP with activated == 1 becomes SIGSEGV, so no thread loops on #GP (the engine reports a loop as kernel/progress)',
    check: activationsJudged,
  }),
  inv({
    name: 'pasid/C-INV4-fpu-coherence',
    description: 'the registers and the memory image of a task\'s FPU state stay coherent: (a) a user task with !TIF_NEED_FPU_LOAD is running on a CPU whose registers it owns (they are the single source of truth); (b) registers that fpregs_state_valid() lets the return path keep equal the task\'s image; (c) a #GP that activates a thread\'s PASID returns to user mode with that PASID in IA32_PASID (a register write that a later XRSTOR undoes breaks this)',
    check: fpuCoherence,
  }),
  inv({
    name: 'pasid/C-INV5-inheritance',
    description: 'a fork or exec child and a cloned thread start with pasid_activated == 0 (statechart at FORK/CLONE/EXEC)',
  }),
  inv({
    name: 'pasid/C-INV6-other-mm',
    description: "a thread in user mode never holds a PASID allocated to another mm: updates reach only the mm's own threads",
    check(w) {
      const k = w.k;
      for (const { id, name, msr: p } of inUserMode(w)) {
        const t = k.tasks[id]!;
        const owner = p === INVALID ? undefined : k.ioasid.owner[p];
        if (owner && owner.mm !== t.mm) return `${name} (mm${t.mm}) runs user code with PASID ${p}, which belongs to mm${owner.mm}`;
      }
    },
  }),
  inv({
    name: 'pasid/C-INV7-single-alloc',
    description: 'mm->pasid goes from INVALID to P at most once at a time, P not in use by another mm, and every bind of the mm gets that P (statechart at ALLOC/BIND)',
  }),
  inv({
    name: 'pasid/C-INV8-kernel-no-enqcmd',
    description: 'the kernel itself never executes ENQCMD: every descriptor comes from a user thread in user mode',
    check(w) {
      const d = w.k.observed.received.find((r) => !r.fromUser);
      if (d) return `dev${d.dev} received a descriptor submitted by ${w.tasks[d.task]?.name} outside user mode`;
    },
  }),
  inv({
    name: 'pasid/enqcmd-no-sigsegv',
    description: 'observable: no thread gets SIGSEGV from a well-formed ENQCMD to a portal mapped in its mm while that mm has a valid PASID',
    check(w) {
      const s = w.k.observed.segv.find((e) => e.wellFormed && e.portal && e.mmPasid !== INVALID);
      if (s) return `${w.tasks[s.task]?.name ?? `task ${s.task}`} got SIGSEGV from a well-formed ENQCMD to its portal although its mm has PASID ${s.mmPasid}`;
    },
  }),
  ...lifetimeInvariants,
];
