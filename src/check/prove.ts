/**
 * prove(): `kcheck prove` as an API. Every workload within the bounds with every interleaving
 * within the preemption bound (explore/prove.ts), on this thread or spread over worker threads
 * by workload (prove-workers.ts: the same workloads, states and verdict for any number of
 * workers); a violation comes back as a minimized, replayable counterexample like check()'s.
 */
import type { ExecOptions } from '../engine/engine.js';
import { boundedExec, prove as search, type ProofBoundsOptions, type ProofStats, type Reduction, type WorkloadOutcome } from '../explore/prove.js';
import type { Protocol } from '../protocol.js';
import { findVariant } from '../registry.js';
import type { PreemptModel } from '../sim/world.js';
import { counterexample, resolveProtocol, type Counterexample } from './check.js';
import { minimize } from './minimize.js';
import { BadInput, resolveOptions, type CheckOptions } from './options.js';
import type { Scenario } from './token.js';

export interface ProveOptions extends Pick<CheckOptions, 'protocol' | 'registry' | 'sources' | 'variant' | 'cpus' | 'params' | 'maxSteps' | 'maxEnvSteps' | 'preempt' | 'invariants' | 'timeLimit' | 'maxStates'> {
  /** default 2: operations per program */
  ops?: number;
  /** default 2: the preemption bound (with iterative, the largest bound to reach) */
  preemptionBound?: number;
  /** default false: bound 0, 1, ... up to the preemption bound, as far as the time limit allows */
  iterative?: boolean;
  /** default none: bound delays (choices other than a deterministic scheduler's) to this many, instead of preemptions */
  delayBound?: number;
  /**
   * default 'none': 'sleep' prunes permutations of independent steps (replay search); 'dpor'
   * explores one execution per Mazurkiewicz trace at least, statelessly, with no preemption bound
   */
  reduction?: Reduction;
  /** default none: this shard's share of the workloads (i of n) */
  shard?: { index: number; count: number };
}

/** What a proof covered, for the report. */
export interface ProofReport extends ProofStats {
  cpus: number;
  ops: number;
  /** the bound on preemptions, or on delays */
  preemptionBound: number;
  delays: boolean;
  iterative: boolean;
  preempt: PreemptModel;
  envSteps: number;
  maxSteps: number;
}

export type ProofCheck =
  | { ok: true; protocol: string; variant: string; buggy: boolean; stats: ProofReport; incomplete?: string }
  | ({ ok: false; protocol: string; variant: string; buggy: boolean; stats: ProofReport; bound: number } & Counterexample);

/** Runs the workloads of one bound, e.g. over workers; default: one after the other here. */
export type WorkloadRunner = (bound: number, todo: { index: number; workload: unknown }[]) => WorkloadOutcome[] | Promise<WorkloadOutcome[]>;

/** The resolved bounds of a proof and the engine options every execution gets. */
export function proofSetup(o: ProveOptions): { protocol: Protocol; bounds: ProofBoundsOptions; exec: ExecOptions; report: Omit<ProofReport, keyof ProofStats> } {
  const { protocol: name, variant: v, cpus, params, maxSteps, maxEnvSteps, preempt: model, invariants, timeLimit, maxStates } = o;
  const r = resolveOptions({
    protocol: name, variant: v, cpus, params, maxSteps, maxEnvSteps, preempt: model, invariants, timeLimit, maxStates,
    strategy: 'dfs', runs: 1, ops: o.ops ?? 2, maxPreemptions: o.reduction === 'dpor' ? undefined : o.preemptionBound ?? 2,
  });
  if (o.reduction === 'dpor' && (o.preemptionBound !== undefined || o.delayBound !== undefined)) throw new BadInput('DPOR explores every interleaving: it takes no preemption or delay bound');
  if (o.delayBound !== undefined && o.preemptionBound !== undefined) throw new BadInput('bound preemptions or delays, not both');
  const bound = o.reduction === 'dpor' ? Infinity : o.delayBound ?? r.maxPreemptions;
  const protocol = resolveProtocol(r.protocol, o.registry);
  const variant = findVariant(protocol, r.variant);
  if (!protocol.enumerate) throw new BadInput(`${protocol.name} lists no workloads to prove over (its protocol has no enumerate())`);
  const preempt = r.preempt ?? variant.preempt ?? 'full';
  const deadline = r.timeLimit !== undefined ? performance.now() + r.timeLimit * 1000 : undefined;
  return {
    protocol,
    bounds: {
      cpus: r.cpus, ops: r.ops, params: r.params, preemptionBound: bound, delays: o.delayBound !== undefined, iterative: o.iterative ?? false,
      maxStates: r.maxStates, reduction: o.reduction ?? 'none', ...(deadline !== undefined ? { deadline } : {}), ...(o.shard ? { shard: o.shard } : {}),
    },
    exec: { cpus: r.cpus, maxSteps: r.maxSteps, maxPreemptions: bound, maxEnvSteps: r.maxEnvSteps, preempt, trace: false, extraInvariants: r.invariants },
    report: { cpus: r.cpus, ops: r.ops, preemptionBound: bound, delays: o.delayBound !== undefined, iterative: o.iterative ?? false, preempt, envSteps: r.maxEnvSteps, maxSteps: r.maxSteps },
  };
}

export async function prove(o: ProveOptions, run?: WorkloadRunner): Promise<ProofCheck> {
  const { protocol, bounds, exec, report } = proofSetup(o);
  const variant = findVariant(protocol, o.variant);
  const r = await search(protocol, variant, exec, bounds, run);
  const head = { protocol: protocol.name, variant: variant.name, buggy: variant.buggy };
  const stats: ProofReport = { ...r.stats, ...report };
  if (!r.failing) {
    const s = r.stats;
    const incomplete = s.stoppedBy ? `stopped by ${s.stoppedBy === 'max-states' ? `--max-states (${bounds.maxStates} states per workload)` : 'the time limit'} at bound ${s.reached}`
      + ` with ${s.completeWorkloads} of ${s.workloads} workloads done`
      // as in check(): sleep sets under a bound may skip states the unreduced search reaches
      : s.reduction === 'sleep' && s.search === 'replay' && Number.isFinite(bounds.preemptionBound) ? 'sleep sets under a preemption or delay bound may skip states the unreduced search reaches (docs/strategies.md)'
        : undefined;
    return { ok: true, ...head, stats, ...(incomplete ? { incomplete } : {}) };
  }
  const { workload, execution, bound } = r.failing;
  const at = boundedExec(exec, bounds, bound);
  const min = minimize(protocol, variant, workload, execution, at);
  const scenario: Scenario = {
    protocol: protocol.name, variant: variant.name, cpus: exec.cpus, maxPreemptions: at.maxPreemptions, maxSteps: exec.maxSteps,
    maxEnvSteps: exec.maxEnvSteps, ...(at.maxDelays !== undefined ? { maxDelays: at.maxDelays } : {}), preempt: exec.preempt ?? 'full', workload: min.workload, choices: min.choices,
    ...(o.sources?.length ? { files: o.sources } : {}),
  };
  const cx = counterexample(protocol, variant, scenario, o.invariants);
  if (!cx) throw new Error('internal: the proof\'s counterexample did not reproduce');
  return { ok: false, ...head, stats, bound, ...cx };
}
