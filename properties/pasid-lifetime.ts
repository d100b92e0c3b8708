/**
 * Reference counts and quiescence for the PASID protocol, from their meaning: no count goes
 * below zero and nothing freed is still referenced (f_count, files_struct users, mm_users,
 * mm_count, PASID references, binds), and once every task has exited everything is released:
 * every mm freed, every PASID freed, every file released, every device entry torn down.
 * Also the shared helpers of the PASID invariants.
 */
import type { SnapshotFrom } from 'xstate';
import type { pasidMachine } from '../model/pasid.machine.js';
import { defineInvariant, type Invariant } from '../src/protocol.js';
import type { PasidState } from '../src/kernel/mm/pasid-types.js';
import type { World } from '../src/sim/world.js';

export type Inv = Invariant<PasidState, SnapshotFrom<typeof pasidMachine>>;
export type W = World<PasidState>;

export const inv = (i: Inv): Inv => defineInvariant(i);

/**
 * User threads running user code now: current on their CPU, in user mode, no switch or
 * interrupt in progress there. What a thread holds while switched out does not count: the eager
 * designs correct the image on the way in, by design.
 */
export function* inUserMode(w: W): Generator<{ id: number; name: string; msr: number }> {
  for (const cpu of w.cpus) {
    const t = w.k.tasks[cpu.curr];
    if (!t || t.kthread || t.mm < 0 || !t.inUser || cpu.ctx.length !== 1) continue;
    // in user mode the registers are loaded (exit_to_user_mode() restored them): IA32_PASID counts
    yield { id: cpu.curr, name: w.tasks[cpu.curr]!.name, msr: w.k.cpus[cpu.id]!.msr };
  }
}

/** The first count below zero, or a freed object still referenced. */
function badCount(w: W): string | undefined {
  const k = w.k;
  for (const [i, f] of k.files.entries()) if (f.refs < 0) return `file${i}: f_count = ${f.refs}`;
  for (const [i, fs] of k.filesStructs.entries()) {
    if (fs.users < 0) return `files_struct ${i}: count = ${fs.users}`;
    for (const [fd, f] of fs.fdt.entries()) if (f !== null && k.files[f]!.refs <= 0) return `fd ${fd} of files_struct ${i} refers to file${f}, whose f_count is ${k.files[f]!.refs}`;
  }
  for (const [i, m] of k.mms.entries()) {
    for (const c of ['mm_users', 'mm_count', 'binds'] as const) if (m[c] < 0) return `mm${i}: ${c} = ${m[c]}`;
    if (m.freed && (m.mm_users > 0 || m.mm_count > 0)) return `mm${i} was freed with mm_users ${m.mm_users}, mm_count ${m.mm_count}`;
    for (const f of m.portals) if (k.files[f]!.refs <= 0) return `mm${i} maps the portal of file${f}, whose f_count is ${k.files[f]!.refs}`;
  }
  for (const [p, o] of Object.entries(k.ioasid.owner)) if (o.refs <= 0) return `PASID ${p} is allocated with ${o.refs} references`;
  for (const [dev, t] of k.pasidTable.entries()) {
    for (const [p, e] of Object.entries(t)) if (e.binds <= 0) return `dev${dev}: PASID ${p} programmed with ${e.binds} binds`;
  }
}

/** What is still held after every task has exited. */
function unreleased(w: W): string | undefined {
  const k = w.k;
  for (const [i, m] of k.mms.entries()) if (!m.freed) return `mm${i} was never freed (mm_users ${m.mm_users}, mm_count ${m.mm_count})`;
  for (const [p, o] of Object.entries(k.ioasid.owner)) return `PASID ${p} of mm${o.mm} was never freed`;
  for (const [i, f] of k.files.entries()) if (f.refs !== 0) return `file${i} was never released (f_count ${f.refs})`;
  for (const [i, fs] of k.filesStructs.entries()) if (fs.users !== 0) return `files_struct ${i} still has ${fs.users} users`;
  for (const [dev, t] of k.pasidTable.entries()) for (const [p, e] of Object.entries(t)) return `dev${dev} still has PASID ${p} programmed for mm${e.mm}`;
}

export const lifetimeInvariants: Inv[] = [
  inv({
    name: 'pasid/refcounts',
    description: 'no reference count goes below zero and nothing freed is still referenced: f_count, files_struct users, mm_users, mm_count, binds, PASID references; no fd, portal or PASID entry refers to a released object',
    check: badCount,
  }),
  inv({
    name: 'pasid/quiescence',
    description: 'when every task has exited, everything is released: every mm freed, every PASID freed, every file released, every files_struct and device PASID entry gone',
    final: true,
    check: unreleased,
  }),
];
