/**
 * A Strategy decides which runnable choice goes next. It sees how many choices there are and,
 * when it asks for them, their keys (which unit or switch each choice is), never the World (cf.
 * Shuttle's Scheduler trait). Choice 0 continues the CPU that ran last, so choices that shrink
 * toward 0 shrink toward fewer context switches.
 */
export interface Strategy {
  /** index in [0, n) of the choice to take; called only when n > 1 */
  next(n: number, keys?: readonly string[]): number;
  /** the engine builds the choices' keys (see choiceKey) only for strategies that set this */
  readonly keyed?: boolean;
  /**
   * true while the strategy re-executes a prefix whose states were already checked (exhaustive
   * search): the engine then skips the per-step invariants, which held there before
   */
  readonly replaying?: boolean;
}

/**
 * Keys name a choice so that it can be recognised in another state of the same execution tree:
 *  - `u<unit>.<progress>@<cpu>`: run the next step of unit <unit> (its <progress>-th) on <cpu>;
 *  - `i<unit>@<cpu>`: enter the interrupt handler <unit> on <cpu>;
 *  - `s<cpu>>u<unit>`: switch <cpu> to the task whose unit is <unit>.
 */
export type ChoiceKey = string;

/** The schedulable entity behind a choice (a thread or handler unit), for priority schedulers. */
export function entityOf(key: ChoiceKey): string {
  const m = /^(?:u|i)(\d+)|^s\d+>u(-?\d+)/.exec(key);
  return m ? `u${m[1] ?? m[2]}` : key;
}

/** Thrown by a strategy to end an execution early (the engine passes it through). */
export class StrategySignal extends Error {}

export class ReplayDiverged extends StrategySignal {
  constructor(why: string) {
    super(`replay diverged from the program: ${why}`);
    this.name = 'ReplayDiverged';
  }
}
