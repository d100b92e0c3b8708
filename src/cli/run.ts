import { InvalidArgumentError } from 'commander';
import { check, type CheckResult } from '../check/check.js';
import { BadInput, type CheckOptions, type StrategyName } from '../check/options.js';
import { checkParallel, parseShard, type Shard } from '../check/workers.js';
import type { Protocol, Variant } from '../protocol.js';
import type { PreemptModel } from '../sim/world.js';
import { findProtocol, protocols } from '../protocols.js';
import { renderCheck } from '../report/text.js';
import { EXIT, json, out, progress, stdoutColors, userInvariants } from './shared.js';

export interface RunFlags {
  variant?: string;
  runs?: number;
  seed?: number;
  cpus?: number;
  ops?: number;
  timeLimit?: number;
  json?: boolean;
  invariants?: string;
  strategy?: StrategyName;
  depth?: number;
  preemptionBound?: number;
  envSteps?: number;
  preempt?: PreemptModel;
  swarm?: boolean;
  param?: Record<string, number>;
  maxStates?: number;
  coverage?: boolean;
  reduction?: boolean;
  workers?: number;
  shard?: Shard;
}

export function shardFlag(raw: string): Shard {
  try {
    return parseShard(raw);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** The protocols named (default: all) and either the named variant or their correct ones. */
export function targets(names: string[], variant: string | undefined): { p: Protocol; v: Variant }[] {
  const ps = (names.length ? names : protocols.map((p) => p.name)).map(findProtocol);
  if (variant === undefined) return ps.flatMap((p) => p.variants.filter((v) => !v.buggy).map((v) => ({ p, v })));
  const hits = ps.flatMap((p) => p.variants.filter((v) => v.name === variant).map((v) => ({ p, v })));
  if (hits.length === 0) {
    throw new BadInput(`unknown variant '${variant}' of ${ps.map((p) => p.name).join(', ')} (see 'kcheck list')`);
  }
  return hits;
}

export async function runCommand(names: string[], flags: RunFlags): Promise<number> {
  const todo = targets(names, flags.variant);
  const user = await userInvariants(flags.invariants);
  const results: CheckResult[] = [];
  const c = stdoutColors();
  for (const { p, v } of todo) {
    const options: CheckOptions = {
      protocol: p.name, variant: v.name, runs: flags.runs, seed: flags.seed, cpus: flags.cpus, ops: flags.ops,
      timeLimit: flags.timeLimit, strategy: flags.strategy, depth: flags.depth, maxPreemptions: flags.preemptionBound, maxEnvSteps: flags.envSteps, preempt: flags.preempt, swarm: flags.swarm, params: flags.param,
      maxStates: flags.maxStates, coverage: flags.coverage, reduction: flags.reduction,
    };
    let r: CheckResult;
    if (flags.workers !== undefined || flags.shard !== undefined) {
      r = await checkParallel({ ...options, workers: flags.workers, shard: flags.shard, invariantsFile: flags.invariants });
    } else {
      const bar = progress(`${p.name}/${v.name}`, !flags.json);
      r = check({ ...options, invariants: user.get(p.name) ?? [], onProgress: bar.update });
      bar.stop();
    }
    results.push(r);
    if (!flags.json) out(renderCheck(r, c).join('\n'));
  }
  const failed = results.some((r) => !r.ok);
  const incomplete = results.some((r) => r.ok && r.incomplete);
  if (flags.json) json({ ok: !failed && !incomplete, results });
  return failed ? EXIT.counterexample : incomplete ? EXIT.incomplete : EXIT.holds;
}
