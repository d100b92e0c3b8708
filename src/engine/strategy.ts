/**
 * What the engine asks of a strategy: which runnable choice goes next. A strategy sees how many
 * choices there are and, when it asks for them, their keys (which unit, interrupt, switch or
 * environment action each choice is), never the World (cf. Shuttle's Scheduler trait). Choice 0
 * continues the CPU that ran last whenever it can go on, so choices that shrink toward 0 shrink
 * toward fewer preemptions.
 */
export interface Strategy {
  /** index in [0, n) of the choice to take; called only when n > 1 */
  next(n: number, keys?: readonly string[]): number;
  /** the engine builds the choices' keys (see ChoiceKey) only for strategies that set this */
  readonly keyed?: boolean;
  /**
   * true while the strategy re-executes a prefix whose states were already checked (exhaustive
   * search): the engine then skips the per-step invariants, which held there before
   */
  readonly replaying?: boolean;
}

/**
 * Keys name a choice so that it can be recognised in another state of the same execution tree:
 *  - `u<unit>.<steps>@<cpu>`: run the next step of unit <unit> (after <steps> of its steps) on <cpu>;
 *  - `i<unit>@<cpu>`: enter the interrupt handler <unit> on <cpu>;
 *  - `b<unit>@<cpu>`: run the softirq <unit> from local_bh_enable() on <cpu>;
 *  - `s<cpu>>u<unit>`: switch <cpu> to the task whose unit is <unit>;
 *  - `e<cpu>:<fn>:<what>`: the environment action <fn> (<what>) on <cpu>.
 */
export type ChoiceKey = string;

/** The schedulable entity behind a choice (a thread, handler or environment action), for priority schedulers. */
export function entityOf(key: ChoiceKey): string {
  const m = /^(?:u|i|b)(\d+)|^s\d+>u(-?\d+)/.exec(key);
  if (m) return `u${m[1] ?? m[2]}`;
  // one entity per kind of environment action and CPU: its instances share a priority
  const e = /^(e\d+:[^:]*)/.exec(key);
  return e ? e[1]! : key;
}

/** Thrown by a strategy to end an execution early (the engine passes it through). */
export class StrategySignal extends Error {}
