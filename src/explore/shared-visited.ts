/**
 * A visited set that worker threads share: an open-addressing table of 53-bit state hashes in a
 * SharedArrayBuffer, filled with compare-and-swap, so that each state is added (and expanded) by
 * exactly one thread. Fixed capacity: a full table makes the search stop, incomplete.
 */
import type { Visited } from './snapshot-dfs.js';

export class SharedVisited implements Visited {
  private readonly slots: BigInt64Array;
  private readonly mask: number;
  /** set when an add found no free slot */
  full = false;

  /** `buffer`: a table another thread created (capacity taken from it) */
  constructor(readonly buffer: SharedArrayBuffer) {
    this.slots = new BigInt64Array(buffer);
    this.mask = this.slots.length - 1;
  }

  /** A table for about `states` states (kept at most half full). */
  static create(states: number): SharedVisited {
    let cap = 1024;
    while (cap < states * 2) cap *= 2;
    return new SharedVisited(new SharedArrayBuffer(cap * 8));
  }

  add(h: number): boolean {
    const key = BigInt(h) + 1n; // 0 marks a free slot
    let i = (h ^ Math.floor(h / 4294967296) * 0x9e3779b1) & this.mask;
    for (let probes = 0; probes <= this.mask; probes++, i = (i + 1) & this.mask) {
      const was = Atomics.compareExchange(this.slots, i, 0n, key);
      if (was === 0n) return true;
      if (was === key) return false;
    }
    this.full = true;
    return false;
  }
}
