/**
 * Sampled exploration: fast-check generates (workload, schedule input) pairs, the engine
 * executes them, fast-check shrinks the first failure. The schedule input is what the strategy
 * is built from: a choice list (random) or PCT priorities and change points.
 */
import * as fc from 'fast-check';
import { execute, type ExecOptions } from '../engine/engine.js';
import type { Execution } from '../engine/result.js';
import type { Protocol, Variant } from '../protocol.js';
import { pctBound, pctInput, PctStrategy, type PctInput } from './pct.js';
import { DrawnRandomStrategy, randomInput, type RandomInput } from './random.js';
import type { Strategy } from '../engine/strategy.js';

/** How a strategy is drawn by fast-check and built for one run. */
export interface Drawn<S> {
  arb: fc.Arbitrary<S>;
  make(input: S): Strategy;
  /** after each run, with the strategy that ran it */
  ran?(strategy: Strategy, r: Execution): void;
}

export const randomDrawn: Drawn<RandomInput> = {
  arb: randomInput,
  make: (s) => new DrawnRandomStrategy(s),
};

/** What a green PCT run established (Burckhardt et al. 2010, Theorem 1). */
export interface PctGuarantee {
  depth: number;
  /** most schedulable entities (threads, handlers, context switches) seen in one run: the n the bound is computed for */
  n: number;
  /** scheduling decisions per run the change points were drawn over */
  k: number;
  /** runs with more decisions than k: for them the bound does not hold */
  longerRuns: number;
  /** 1/(n·k^(d-1)): per-run probability of hitting any given bug of depth <= d */
  bound: number;
  /** 1-(1-bound)^(runs - longerRuns) */
  confidence: number;
}

/** runs whose lengths estimate k before PCT starts */
const PILOT_RUNS = 32;

/**
 * PCT drawn by fast-check, k estimated as the most decisions seen in pilot runs (PCT runs with
 * no change points, on workloads and priorities sampled from the same seed); the pilot runs also
 * size the drawn priority array (entities past it get PRNG priorities of their own).
 */
export function pctDrawn(protocol: Protocol, variant: Variant, workloads: fc.Arbitrary<unknown>, exec: ExecOptions,
  depth: number, seed: number): Drawn<PctInput> & { guarantee(runs: number): PctGuarantee } {
  let k = 1;
  let entities = 1;
  const pilot = fc.sample(fc.tuple(workloads, pctInput(1)), { seed, numRuns: PILOT_RUNS });
  for (const [wl, input] of pilot) {
    const s = new PctStrategy(input, 1, 1);
    execute(protocol, variant, wl, s, exec);
    k = Math.max(k, s.decisions);
    entities = Math.max(entities, s.entities);
  }
  let n = 1;
  let longerRuns = 0;
  return {
    arb: pctInput(depth, entities),
    make: (input) => new PctStrategy(input, depth, k),
    ran(s) {
      const p = s as PctStrategy;
      n = Math.max(n, p.entities);
      if (p.decisions > k) longerRuns++;
    },
    guarantee(runs) {
      const bound = pctBound(n, k, depth);
      // the theorem covers runs of at most k decisions: the longer ones add no confidence
      return { depth, n, k, longerRuns, bound, confidence: 1 - (1 - bound) ** Math.max(0, runs - longerRuns) };
    },
  };
}
