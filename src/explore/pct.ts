/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, "A
 * Randomized Scheduler with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010): every
 * schedulable entity gets its own random priority above d, the highest-priority runnable entity
 * always runs, and at d-1 random scheduling steps k_1..k_{d-1} the entity about to run drops to
 * priority i. For n entities and k steps this hits any bug of depth d with probability
 * >= 1/(n·k^(d-1)) per run (Theorem 1 of the paper).
 *
 * The random inputs are drawn by fast-check, so a failing run shrinks: the first priorities come
 * from a drawn array (they shrink toward 0, where ties go to choice 0, keep the CPU that ran
 * last, i.e. toward fewer context switches); entities beyond it draw theirs from a PRNG seeded
 * by the input, so every entity has a priority of its own however many there are.
 */
import * as fc from 'fast-check';
import { entityOf, type Strategy } from '../engine/strategy.js';
import { prng } from './random.js';

export interface PctInput {
  /** priority draws, in the order entities first become runnable */
  priorities: number[];
  /** seed of the priorities of entities past the end of `priorities` */
  seed: number;
  /** d-1 change point draws, each taken modulo k */
  changes: number[];
}

/** The depth-d PCT input for runs of about `entities` entities; k is applied when the strategy runs. */
export function pctInput(depth: number, entities = 16): fc.Arbitrary<PctInput> {
  return fc.record({
    priorities: fc.array(fc.nat({ max: 0x7fffffff }), { maxLength: entities, size: 'max' }),
    seed: fc.nat(),
    changes: fc.array(fc.nat({ max: 0xffff }), { minLength: depth - 1, maxLength: depth - 1 }),
  });
}

/** The per-run probability PCT guarantees for a bug of depth d (Burckhardt et al., Thm 1). */
export function pctBound(n: number, k: number, depth: number): number {
  return 1 / (Math.max(1, n) * Math.max(1, k) ** (depth - 1));
}

export class PctStrategy implements Strategy {
  readonly keyed = true;
  private readonly priority = new Map<string, number>();
  /** step (decision) number -> change point index i (1-based: the new priority is i) */
  private readonly changeAt = new Map<number, number[]>();
  private decision = 0;
  private readonly draw: () => number;

  /**
   * @param k scheduling decisions per run, estimated from observed runs: change points are
   *   drawn uniformly in [0, k)
   */
  constructor(private readonly input: PctInput, readonly depth: number, k: number) {
    input.changes.slice(0, depth - 1).forEach((c, i) => {
      const at = c % Math.max(1, k);
      this.changeAt.set(at, [...(this.changeAt.get(at) ?? []), i + 1]);
    });
    this.draw = prng(input.seed);
  }

  /** entities seen so far (the n of the bound) */
  get entities(): number { return this.priority.size; }

  /** scheduling decisions taken (the k of the bound) */
  get decisions(): number { return this.decision; }

  next(n: number, keys?: readonly string[]): number {
    if (!keys) throw new Error('internal: PCT needs the choice keys');
    const ents = keys.map(entityOf);
    for (const e of ents) {
      if (this.priority.has(e)) continue;
      // initial priorities lie above every change-point priority (1..d-1)
      const i = this.priority.size;
      this.priority.set(e, this.depth + (i < this.input.priorities.length ? this.input.priorities[i]! : this.draw() >>> 1));
    }
    const lowered = this.changeAt.get(this.decision++);
    if (lowered) for (const i of lowered) this.priority.set(ents[this.best(ents, n)]!, i);
    return this.best(ents, n);
  }

  /** The highest priority; ties go to the lower index (choice 0 = keep running). */
  private best(ents: string[], n: number): number {
    let pick = 0;
    for (let c = 1; c < n; c++) if (this.priority.get(ents[c]!)! > this.priority.get(ents[pick]!)!) pick = c;
    return pick;
  }
}
