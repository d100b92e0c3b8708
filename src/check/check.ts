/**
 * check(): fast-check generates workloads and schedules, the engine executes them, fast-check
 * shrinks the first failure, the minimizer drops preemptions by replay, and the result comes back
 * as data with a replay token. replay(): re-executes a token exactly.
 */
import * as fc from 'fast-check';
import type { Protocol, Variant } from '../protocol.js';
import { findProtocol, findVariant } from '../protocols.js';
import { RandomStrategy } from '../explore/random.js';
import { ReplayStrategy } from '../explore/replay.js';
import { ReplayDiverged, type Strategy } from '../explore/strategy.js';
import { execute, type ExecOptions } from './execute.js';
import { minimize } from './minimize.js';
import { resolveOptions, type CheckOptions } from './options.js';
import type { Execution, Failure, TraceStep } from './result.js';
import { decodeToken, encodeToken, type Scenario } from './token.js';

export interface Stats {
  runs: number;
  steps: number;
  timeMs: number;
  seed: number;
  /** run (1-based) that first failed, if any */
  firstFailureRun?: number;
  /** ms until the first failure was found (before shrinking) */
  timeToFailureMs?: number;
  numShrinks: number;
  /** generation stopped by --time-limit before all runs were done */
  interrupted: boolean;
  /** architectural events summed over all runs */
  counters: Record<string, number>;
  envOverrides: string[];
}

export interface Counterexample {
  failure: Failure;
  scenario: Scenario;
  token: string;
  trace: TraceStep[];
  /** the workload as the report prints it */
  workload: string[];
  steps: number;
  preemptions: number;
  warnings: string[];
  counters: Record<string, number>;
}

export type CheckResult =
  | { ok: true; protocol: string; variant: string; buggy: boolean; stats: Stats }
  | ({ ok: false; protocol: string; variant: string; buggy: boolean; stats: Stats } & Counterexample);

export function check(options: CheckOptions): CheckResult {
  const o = resolveOptions(options);
  const protocol = findProtocol(o.protocol);
  const variant = findVariant(protocol, o.variant);
  const exec: ExecOptions = { cpus: o.cpus, maxSteps: o.maxSteps, maxPreemptions: o.maxPreemptions, trace: false, extraInvariants: o.invariants };
  const workloads = protocol.workload({ cpus: o.cpus, ops: o.ops, variant });
  const schedules = fc.array(fc.nat({ max: 0xff }), { maxLength: 256, size: 'max' });

  const t0 = performance.now();
  let runs = 0;
  let steps = 0;
  let target: string | undefined;
  let first: { run: number; ms: number } | undefined;
  const counters: Record<string, number> = {};
  const prop = fc.property(workloads, schedules, (wl, sched) => {
    const r = execute(protocol, variant, wl, new RandomStrategy(sched), exec);
    if (target === undefined) {
      runs++;
      steps += r.steps;
      for (const k in r.counters) counters[k] = (counters[k] ?? 0) + r.counters[k]!;
      if (o.onProgress && runs % 50 === 0) o.onProgress(runs, o.runs);
    }
    if (!r.failure) return true;
    if (target === undefined) {
      target = r.failure.invariant;
      first = { run: runs, ms: performance.now() - t0 };
    }
    // while shrinking, only the failure first found counts: a different one is not "smaller"
    return r.failure.invariant !== target;
  });
  const plugins = o.timeLimit ? [fc.interruptAfterTimeLimit(o.timeLimit * 1000, { failOnInterrupt: false })] : [];
  const details = fc.check(prop, { numRuns: o.runs, seed: o.seed, plugins });
  o.onProgress?.(runs, o.runs);

  const stats = (): Stats => ({
    runs, steps, timeMs: performance.now() - t0, seed: o.seed, numShrinks: details.numShrinks,
    interrupted: details.interrupted, counters, envOverrides: o.envOverrides,
    ...(first ? { firstFailureRun: first.run, timeToFailureMs: first.ms } : {}),
  });
  const head = { protocol: protocol.name, variant: variant.name, buggy: variant.buggy };
  if (!details.failed || !details.counterexample) return { ok: true, ...head, stats: stats() };

  const [wl, sched] = details.counterexample as [unknown, number[]];
  const found = execute(protocol, variant, wl, new RandomStrategy(sched), exec);
  const min = o.minimize ? minimize(protocol, variant, wl, found, exec) : { workload: wl, choices: found.choices };
  const scenario: Scenario = {
    protocol: protocol.name, variant: variant.name, cpus: o.cpus,
    maxPreemptions: o.maxPreemptions, maxSteps: o.maxSteps, workload: min.workload, choices: min.choices,
  };
  const cx = counterexample(protocol, variant, scenario, o.invariants);
  if (!cx) throw new Error('internal: the shrunk counterexample did not reproduce');
  return { ok: false, ...head, stats: stats(), ...cx };
}

/** Re-executes a scenario with tracing on; null when it now holds. */
function counterexample(protocol: Protocol, variant: Variant, scenario: Scenario, invariants: CheckOptions['invariants'],
  strategy: Strategy = new ReplayStrategy(scenario.choices)): Counterexample | null {
  const r: Execution = execute(protocol, variant, scenario.workload, strategy, {
    cpus: scenario.cpus, maxSteps: scenario.maxSteps, maxPreemptions: scenario.maxPreemptions, trace: true,
    extraInvariants: invariants ?? [],
  });
  if (!r.failure) return null;
  return {
    failure: r.failure, scenario: { ...scenario, choices: r.choices }, token: encodeToken({ ...scenario, choices: r.choices }),
    trace: r.trace ?? [], workload: protocol.describe?.(scenario.workload) ?? [JSON.stringify(scenario.workload)],
    steps: r.steps, preemptions: r.preemptions, warnings: r.warnings, counters: r.counters,
  };
}

export type ReplayResult =
  | { ok: true; protocol: string; variant: string; diverged: boolean }
  | ({ ok: false; protocol: string; variant: string; diverged: boolean } & Counterexample);

/**
 * Replays a token: the identical failure, or ok when the scenario now holds. When the program
 * no longer follows the recorded schedule (the code changed), the schedule is replayed leniently
 * (choices taken modulo what is runnable) and the result says so.
 */
export function replay(token: string, options: Pick<CheckOptions, 'invariants'> = {}): ReplayResult {
  const scenario = decodeToken(token);
  const protocol = findProtocol(scenario.protocol);
  const variant = findVariant(protocol, scenario.variant);
  let diverged = false;
  let cx: Counterexample | null;
  try {
    cx = counterexample(protocol, variant, scenario, options.invariants);
  } catch (e) {
    if (!(e instanceof ReplayDiverged)) throw e;
    diverged = true;
    cx = counterexample(protocol, variant, scenario, options.invariants, new RandomStrategy(scenario.choices));
  }
  const head = { protocol: protocol.name, variant: variant.name, diverged };
  return cx ? { ok: false, ...head, ...cx } : { ok: true, ...head };
}
