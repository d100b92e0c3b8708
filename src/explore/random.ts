import type { Strategy } from './strategy.js';

/**
 * Choices drawn by fast-check as an array of naturals, taken modulo the number of runnable
 * choices; past its end the strategy keeps running the current CPU. fast-check shrinks the
 * array toward shorter and smaller, i.e. toward fewer preemptions.
 */
export class RandomStrategy implements Strategy {
  private i = 0;
  constructor(private readonly choices: readonly number[]) {}
  next(n: number): number {
    const c = this.choices[this.i++];
    return c === undefined ? 0 : c % n;
  }
}
