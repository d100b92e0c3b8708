/**
 * Smaller memregion workloads, for the replay minimizer: drop one operation of a task, or move a
 * boot parameter toward the default (nothing locked, one overwrite poll). Every operation is legal
 * in any state (it fails with an errno where the kernel refuses it), so every candidate is legal.
 */
import type { MemregionWorkload } from './memregion-workload.js';

export function* shrinkMemregionWorkload(wl: MemregionWorkload): Generator<MemregionWorkload> {
  for (const [i, t] of wl.tasks.entries()) {
    for (let j = 0; j < t.ops.length; j++) {
      const ops = t.ops.filter((_, k) => k !== j);
      yield { ...wl, tasks: wl.tasks.map((u, k) => (k === i ? { ...u, ops } : u)) };
    }
  }
  if (wl.locked) yield { ...wl, locked: false };
  if (wl.polls > 1) yield { ...wl, polls: 1 };
}
