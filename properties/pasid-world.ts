/** What the PASID checks share: their types, and the threads that run user code now. */
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
