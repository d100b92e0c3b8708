/**
 * kcheck prove [PROTOCOL…]: every correct variant (or the named one) proved over every workload
 * within the bounds. Exit 0 proved, 1 counterexample, 3 incomplete.
 */
import { proveParallel } from '../check/prove-workers.js';
import { prove, type ProofCheck, type ProveOptions } from '../check/prove.js';
import type { Shard } from '../check/workers.js';
import { renderProof } from '../report/proof.js';
import type { PreemptModel } from '../sim/world.js';
import { targets } from './run.js';
import { EXIT, json, out, stdoutColors } from './shared.js';
import { loadWorkspace, type WorkspaceFlags } from './workspace.js';

export interface ProveFlags extends WorkspaceFlags {
  variant?: string; cpus?: number; ops?: number; preemptionBound?: number; delayBound?: number; iterative?: boolean; reduction?: 'none' | 'sleep' | 'dpor';
  maxStates?: number; timeLimit?: number; workers?: number; shard?: Shard; param?: Record<string, number>; preempt?: PreemptModel;
  envSteps?: number; json?: boolean;
}

export async function proveCommand(names: string[], flags: ProveFlags): Promise<number> {
  // without names: the protocols that list their workloads (enumerate)
  const ws = await loadWorkspace(flags);
  const todo = targets(ws, names, flags.variant).filter(({ p }) => names.length > 0 || p.enumerate);
  const c = stdoutColors();
  const results: ProofCheck[] = [];
  for (const { p, v } of todo) {
    const o: Omit<ProveOptions, 'protocol'> = {
      variant: v.name, cpus: flags.cpus, ops: flags.ops, preemptionBound: flags.preemptionBound, delayBound: flags.delayBound, iterative: flags.iterative,
      reduction: flags.reduction, maxStates: flags.maxStates, timeLimit: flags.timeLimit, params: flags.param, preempt: flags.preempt,
      maxEnvSteps: flags.envSteps, ...(flags.shard ? { shard: flags.shard } : {}),
    };
    const r = flags.workers
      ? await proveParallel({ ...o, protocol: p.name, workers: flags.workers, sources: ws.sources(p.name) })
      : await prove({ ...o, protocol: p, registry: ws.registry, invariants: ws.invariants(p.name), sources: ws.sources(p.name) });
    results.push(r);
    if (!flags.json) out(renderProof(r, c).join('\n'));
  }
  const failed = results.some((r) => !r.ok);
  const incomplete = results.some((r) => r.ok && r.incomplete);
  if (flags.json) json({ ok: !failed && !incomplete, results });
  return failed ? EXIT.counterexample : incomplete ? EXIT.incomplete : EXIT.holds;
}
