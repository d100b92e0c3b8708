/**
 * Random schedules drawn by fast-check. A run has a preemption density (how often a decision
 * switches away from the unit that ran last, drawn per run so that sparse and dense schedules
 * both occur), an explicit prefix of decisions, and then either "keep running" (tail null) or
 * decisions from a small PRNG seeded by `tail`, so a run of any length stays random. Every drawn
 * value shrinks toward 0, which means "keep running": fast-check shrinks toward fewer
 * preemptions, and the replay minimizer then works on the choices actually taken.
 */
import * as fc from 'fast-check';
import type { Strategy } from '../engine/strategy.js';

export interface RandomInput {
  /** index into DENSITY: the chance that a decision does not keep running */
  density: number;
  /** 16-bit draws, one per decision */
  prefix: number[];
  /** PRNG seed for the decisions after the prefix; null: keep running */
  tail: number | null;
}

/** chance that a decision switches away (-1: uniform over the runnable choices) */
export const DENSITY = [1 / 32, 1 / 8, 1 / 3, -1] as const;

export const randomInput: fc.Arbitrary<RandomInput> = fc.record({
  density: fc.nat({ max: DENSITY.length - 1 }),
  prefix: fc.array(fc.nat({ max: 0xffff }), { maxLength: 256, size: 'max' }),
  tail: fc.option(fc.nat(), { nil: null, freq: 4 }),
});

/** mulberry32: a 32-bit PRNG, enough to pick among a handful of choices */
export function prng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Replays plain choices (taken modulo n; 0 past their end), as the minimizer and tests give them. */
export class RandomStrategy implements Strategy {
  private i = 0;
  constructor(private readonly choices: readonly number[]) {}
  next(n: number): number {
    const c = this.choices[this.i++];
    return c === undefined ? 0 : c % n;
  }
}

/** A drawn RandomInput as a strategy. */
export class DrawnRandomStrategy implements Strategy {
  private i = 0;
  private readonly rest: (() => number) | null;
  constructor(private readonly input: RandomInput) {
    this.rest = input.tail === null ? null : prng(input.tail);
  }
  next(n: number): number {
    const v = this.input.prefix[this.i++] ?? (this.rest ? this.rest() & 0xffff : 0);
    const p = DENSITY[this.input.density] ?? -1;
    if (p < 0) return v % n;
    // v below the threshold keeps running; above it, one of the other choices
    const keep = Math.round((1 - p) * 0x10000);
    return v < keep ? 0 : 1 + ((v - keep) % (n - 1));
  }
}
