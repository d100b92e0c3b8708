/**
 * C-INV4, FPU coherence (pasid.md C.3; Andy Lutomirski: "If !TIF_NEED_FPU_LOAD &&
 * fpregs_state_valid, you MUST NOT MODIFY FPU STATE ... you will break coherence between CPU regs
 * and the memory image", quoted in <YVIxeBh3IKYYK711@agluck-desk2.amr.corp.intel.com>), as a
 * function of the World and the engine's ghost records:
 *  (a) a user task with !TIF_NEED_FPU_LOAD is running, on a CPU whose registers it owns: the
 *      registers are its single source of truth;
 *  (b) a task's registers that fpregs_state_valid() lets the return path keep (TIF set, owner and
 *      last_cpu agree) hold what its image holds;
 *  (c) a #GP that activated the thread's PASID (pasid_activated 0 → 1 between the exception's
 *      entry and its end, as the engine recorded them) returns to user mode with IA32_PASID =
 *      mm->pasid|VALID (when the mm's PASID is the same at both ends): a write to registers that
 *      were not authoritative is undone by the XRSTOR on the way out, and this is where it shows.
 * A CPU inside an FPU critical section (kernel_fpu_begin() .. kernel_fpu_end(): in_kernel_fpu;
 * fpregs_lock() .. fpregs_unlock(): bottom halves disabled by current) is between two coherent
 * states on purpose and is judged when it leaves; what an interrupt does to it there shows in
 * the values it leaves behind.
 */
import type { Ghost } from '../src/engine/ghost.js';
import { pasidStr } from '../src/kernel/mm/pasid-types.js';
import type { W } from './pasid-world.js';

/** What the engine records of a CPU at the entry and the end of each context (Protocol.contextState). */
export interface PasidContextState {
  task: number;
  activated: boolean;
  msr: number;
  mmPasid: number;
}

export function pasidContextState(w: W, cpu: number): PasidContextState {
  const task = w.cpus[cpu]!.curr;
  const t = w.k.tasks[task];
  return { task, activated: t?.activated ?? false, msr: w.k.cpus[cpu]!.msr, mmPasid: t && t.mm >= 0 ? w.k.mms[t.mm]!.pasid : -1 };
}

/** The CPU is inside kernel_fpu_begin() .. end() or fpregs_lock() .. unlock(). */
const inFpuSection = (w: W, cpu: number): boolean => w.k.cpus[cpu]!.in_kernel_fpu || w.tasks[w.cpus[cpu]!.curr]!.softirq_disabled > 0;

function registersOwned(w: W): string | undefined {
  const k = w.k;
  for (const task of w.tasks) {
    const t = k.tasks[task.id];
    if (!t || t.kthread || task.state === 'done' || t.TIF_NEED_FPU_LOAD) continue;
    const cpu = w.cpus.find((c) => c.curr === task.id);
    if (!cpu) return `${task.name} has !TIF_NEED_FPU_LOAD (its registers are the truth) but runs on no CPU`;
    if (inFpuSection(w, cpu.id)) continue;
    if (k.cpus[cpu.id]!.owner !== task.id) return `${task.name} runs on cpu${cpu.id} with !TIF_NEED_FPU_LOAD but the registers are not its own`;
  }
}

function keptRegistersMatch(w: W): string | undefined {
  const k = w.k;
  for (const cpu of w.cpus) {
    const c = k.cpus[cpu.id]!;
    if (inFpuSection(w, cpu.id)) continue;
    const owner = k.tasks[c.owner];
    if (!owner || !owner.TIF_NEED_FPU_LOAD || owner.fpu.last_cpu !== cpu.id || w.tasks[c.owner]!.state === 'done') continue;
    if (owner.fpu.image !== c.msr) {
      return `cpu${cpu.id}'s registers hold IA32_PASID ${pasidStr(c.msr)} for ${w.tasks[c.owner]!.name}, valid by fpregs_state_valid(), but its image holds ${pasidStr(owner.fpu.image)}`;
    }
  }
}

function fixupTookEffect(w: W, ghost: Ghost): string | undefined {
  for (const e of ghost.ended) {
    if (e.kind !== 'exception' || e.name !== 'exception #GP') continue;
    const before = e.entry.state as PasidContextState;
    const after = e.exit.state as PasidContextState;
    // the PASID the fixup loaded is the mm's, if the mm's PASID did not change meanwhile (a
    // concurrent bind or free is the lifetime checks' business)
    if (before.task !== after.task || before.activated || !after.activated || before.mmPasid !== after.mmPasid || after.msr === after.mmPasid) continue;
    return `the #GP fixup activated ${w.tasks[after.task]!.name}'s PASID ${pasidStr(after.mmPasid)} but it returned to user mode with IA32_PASID ${pasidStr(after.msr)}: the write was lost`;
  }
}

export function fpuCoherence(w: W, _spec: unknown, ghost: Ghost): string | undefined {
  return registersOwned(w) ?? keptRegistersMatch(w) ?? fixupTookEffect(w, ghost);
}
