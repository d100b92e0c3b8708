import { StrategySignal, type Strategy } from '../engine/strategy.js';

export class ReplayDiverged extends StrategySignal {
  constructor(why: string) {
    super(`replay diverged from the program: ${why}`);
    this.name = 'ReplayDiverged';
  }
}

/** Follows a recorded schedule exactly; any disagreement with the program fails loudly. */
export class ReplayStrategy implements Strategy {
  private i = 0;
  constructor(private readonly choices: readonly number[]) {}
  next(n: number): number {
    const c = this.choices[this.i];
    if (c === undefined) throw new ReplayDiverged(`the schedule ended after ${this.i} choices but the program goes on`);
    if (c >= n) throw new ReplayDiverged(`choice ${this.i} is ${c} but only ${n} choices are runnable`);
    this.i++;
    return c;
  }
  /** choices left over when the program ended (a diverging replay) */
  get remaining(): number { return this.choices.length - this.i; }
}
