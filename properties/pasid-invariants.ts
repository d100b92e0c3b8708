/**
 * Invariants C-INV1..C-INV8 of pasid.md C.3, stated from their meaning, plus the observable
 * checks: what a device receives, and whether a thread was killed for a legitimate ENQCMD.
 * Invariants with no check are enforced by the statechart (pasid.machine.ts refuses the event).
 */
import type { SnapshotFrom } from 'xstate';
import type { pasidMachine } from '../model/pasid.machine.js';
import { defineInvariant, type Invariant } from '../src/protocol.js';
import { INVALID, pasidStr, type PasidState } from '../src/kernel/mm/pasid-types.js';
import type { World } from '../src/sim/world.js';

type Inv = Invariant<PasidState, SnapshotFrom<typeof pasidMachine>>;
type W = World<PasidState>;

/**
 * User threads running user code now: current on their CPU, in user mode, no switch or
 * interrupt in progress there. What a thread holds while switched out does not count: the eager
 * designs correct the image on the way in, by design.
 */
function* inUserMode(w: W): Generator<{ id: number; name: string; msr: number }> {
  for (const cpu of w.cpus) {
    const t = w.k.tasks[cpu.curr];
    if (!t || t.kthread || t.mm < 0 || !t.inUser || cpu.ctx.length !== 1) continue;
    // in user mode the registers are loaded (exit_to_user_mode() restored them): IA32_PASID counts
    yield { id: cpu.curr, name: w.tasks[cpu.curr]!.name, msr: w.k.cpus[cpu.id]!.msr };
  }
}

const inv = (i: Inv): Inv => defineInvariant(i);

export const pasidInvariants: Inv[] = [
  inv({
    name: 'pasid/C-INV1-tagging',
    description: "every ENQCMD that completes is tagged with the submitting thread's own mm's PASID, and that PASID is bound to that mm (enforced by the statechart at SUBMIT)",
  }),
  inv({
    name: 'pasid/device-tagging',
    description: "observable: every descriptor a device receives carries the submitter's mm->pasid, and the device's PASID table maps that PASID to the submitter's mm",
    check(w) {
      for (const d of w.k.received) {
        const who = w.tasks[d.task]?.name ?? `task ${d.task}`;
        if (d.pasid !== d.mmPasid) return `dev${d.dev} received a descriptor from ${who} (mm${d.mm}, mm->pasid ${pasidStr(d.mmPasid)}) tagged ${pasidStr(d.pasid)}`;
        if (d.tableMm !== d.mm) return `dev${d.dev} received PASID ${d.pasid} from ${who} of mm${d.mm}, but its PASID table maps ${d.pasid} to ${d.tableMm < 0 ? 'nothing' : `mm${d.tableMm}`}`;
      }
    },
  }),
  inv({
    name: 'pasid/C-INV2-lifetime',
    description: 'a PASID is not freed or reassigned while a thread whose mm has a portal mapped holds it, while a device has it programmed, or while an IOMMU driver holds the mm: a thread running user code in an mm with a portal holds no PASID or its mm\'s; device entries name live mms that own their PASID; unbind tears down what bind programmed; an mm is not freed while a device uses it',
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
          if (owner && owner.mm !== e.mm) return `PASID ${p} was reallocated to mm${owner.mm} while dev${dev} still has it programmed for mm${e.mm}`;
        }
      }
    },
  }),
  inv({
    name: 'pasid/C-INV3-fixup',
    description: 'the #GP fixup activates a thread at most once, only for its mm\'s valid PASID (statechart at ACTIVATE); a #GP with activated == 1 becomes SIGSEGV, so no thread loops on #GP (the engine reports a loop as kernel/progress)',
  }),
  inv({
    name: 'pasid/C-INV4-fpu-coherence',
    description: 'IA32_PASID is written only while the registers are the single source of truth (current\'s, !TIF_NEED_FPU_LOAD); registers that fpregs_state_valid() lets the return path keep equal the memory image; a running user task with !TIF_NEED_FPU_LOAD owns the registers',
    check(w) {
      const k = w.k;
      if (k.incoherent) return k.incoherent;
      for (const cpu of w.cpus) {
        const c = k.cpus[cpu.id]!;
        if (c.in_kernel_fpu) continue;
        const owner = k.tasks[c.owner];
        if (owner && owner.TIF_NEED_FPU_LOAD && owner.fpu.last_cpu === cpu.id && w.tasks[c.owner]!.state !== 'done' && owner.fpu.image !== c.msr) {
          return `cpu${cpu.id}'s registers hold IA32_PASID ${pasidStr(c.msr)} for ${w.tasks[c.owner]!.name}, valid by fpregs_state_valid(), but its image holds ${pasidStr(owner.fpu.image)}`;
        }
        const cur = k.tasks[cpu.curr];
        if (cur && !cur.kthread && !cur.TIF_NEED_FPU_LOAD && c.owner !== cpu.curr) {
          return `${w.tasks[cpu.curr]!.name} runs on cpu${cpu.id} with !TIF_NEED_FPU_LOAD but the registers are not its own`;
        }
      }
    },
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
      const d = w.k.received.find((r) => !r.fromUser);
      if (d) return `dev${d.dev} received a descriptor submitted by ${w.tasks[d.task]?.name} outside user mode`;
    },
  }),
  inv({
    name: 'pasid/enqcmd-no-sigsegv',
    description: 'observable: no thread is killed by SIGSEGV for a well-formed ENQCMD while its mm has a portal mapped and a valid PASID',
    check(w) {
      for (const task of w.tasks) {
        const s = w.k.tasks[task.id]?.sigsegv;
        if (s && s.valid && s.portal && s.mmPasid !== INVALID) {
          return `${task.name} got SIGSEGV from a well-formed ENQCMD although its mm has PASID ${s.mmPasid} bound and a portal mapped`;
        }
      }
    },
  }),
];
