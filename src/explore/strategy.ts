/**
 * A Strategy decides which runnable choice goes next. It sees only how many choices there are,
 * never the World (cf. Shuttle's Scheduler trait). Choice 0 continues the CPU that ran last, so
 * choices that shrink toward 0 shrink toward fewer context switches.
 */
export interface Strategy {
  /** index in [0, n) of the choice to take; called only when n > 1 */
  next(n: number): number;
}

export class ReplayDiverged extends Error {
  constructor(why: string) {
    super(`replay diverged from the program: ${why}`);
    this.name = 'ReplayDiverged';
  }
}
