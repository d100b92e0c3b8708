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

/** What the pilot runs measured: decisions per run (k) and schedulable entities (sizes the priority draws). */
export interface Pilot { k: number; entities: number }

/**
 * PCT runs with no change point, on workloads and priorities sampled from the same seed: k is the
 * most decisions seen, `entities` the most entities.
 */
export function pctPilot(protocol: Protocol, variant: Variant, workloads: fc.Arbitrary<unknown>, exec: ExecOptions, seed: number): Pilot {
  const p: Pilot = { k: 1, entities: 1 };
  for (const [wl, input] of fc.sample(fc.tuple(workloads, pctInput(1)), { seed, numRuns: PILOT_RUNS })) {
    const s = new PctStrategy(input, 1, 1);
    execute(protocol, variant, wl, s, exec);
    p.k = Math.max(p.k, s.decisions);
    p.entities = Math.max(p.entities, s.entities);
  }
  return p;
}

/**
 * PCT of depth d drawn by fast-check, with k and the priority array sized by the pilot runs
 * (entities past it get PRNG priorities of their own), and the guarantee its runs established.
 */
export function pctDrawn(pilot: Pilot, depth: number): Drawn<PctInput> & { guarantee(runs: number): PctGuarantee } {
  const { k } = pilot;
  let n = 1;
  let longerRuns = 0;
  return {
    arb: pctInput(depth, pilot.entities),
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

/** The members of the portfolio: random (with a drawn preemption density) and PCT of depth 1-3. */
export type PortfolioInput = { kind: 'random'; input: RandomInput } | { kind: 'pct'; depth: number; input: PctInput };

/**
 * The default exploration, a portfolio as Coyote's default is: every run is a random run or a
 * PCT run of depth 1, 2 or 3, drawn per run (random, which shrinks best, is drawn first and half
 * the time). Bugs that need a precise late preemption fall to PCT, bugs that need many
 * preemptions or an odd workload to random; no single strategy's guarantee is claimed.
 */
export function portfolioDrawn(pilot: Pilot): Drawn<PortfolioInput> & { mix: Record<string, number> } {
  const pcts = [1, 2, 3].map((d) => pctDrawn(pilot, d));
  const mix: Record<string, number> = { random: 0, 'pct-1': 0, 'pct-2': 0, 'pct-3': 0 };
  const last = new WeakMap<Strategy, string>();
  return {
    mix,
    arb: fc.oneof(
      { weight: 3, arbitrary: randomInput.map((input): PortfolioInput => ({ kind: 'random', input })) },
      ...pcts.map((p, i) => ({ weight: 1, arbitrary: p.arb.map((input): PortfolioInput => ({ kind: 'pct', depth: i + 1, input })) })),
    ),
    make(x) {
      const s = x.kind === 'random' ? new DrawnRandomStrategy(x.input) : pcts[x.depth - 1]!.make(x.input);
      last.set(s, x.kind === 'random' ? 'random' : `pct-${x.depth}`);
      return s;
    },
    ran(s) { mix[last.get(s)!]!++; },
  };
}
