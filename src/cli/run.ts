import { check, type CheckResult } from '../check/check.js';
import { BadInput, type CheckOptions, type StrategyName } from '../check/options.js';
import { checkParallel, type Shard } from '../check/workers.js';
import type { Protocol, Variant } from '../protocol.js';
import type { PreemptModel } from '../sim/world.js';
import { suggest } from '../registry.js';
import { runHtml } from '../report/html.js';
import { checkCase, junitXml } from '../report/junit.js';
import { renderCheck, renderSummary } from '../report/text.js';
import { EXIT, json, out, progress, reporterOf, stdoutColors, type ReporterName } from './shared.js';
import { loadWorkspace, type Workspace, type WorkspaceFlags } from './workspace.js';

export interface RunFlags extends WorkspaceFlags {
  variant?: string;
  runs?: number;
  seed?: number;
  cpus?: number;
  ops?: number;
  timeLimit?: number;
  json?: boolean;
  reporter?: ReporterName;
  strategy?: StrategyName;
  depth?: number;
  preemptionBound?: number;
  envSteps?: number;
  preempt?: PreemptModel;
  /** false with --no-swarm */
  swarm?: boolean;
  param?: Record<string, number>;
  maxStates?: number;
  coverage?: boolean;
  reduction?: 'none' | 'sleep';
  workers?: number;
  shard?: Shard;
}

/**
 * The protocols named (default: the user's protocols when files define any, else the
 * built-in ones) and either the named variant or their correct ones.
 */
export function targets(ws: Workspace, names: string[], variant: string | undefined): { p: Protocol; v: Variant }[] {
  const ps = (names.length ? names : ws.user.length ? ws.user : ws.registry.names).map((n) => ws.registry.find(n));
  if (variant === undefined) return ps.flatMap((p) => p.variants.filter((v) => !v.buggy).map((v) => ({ p, v })));
  const hits = ps.flatMap((p) => p.variants.filter((v) => v.name === variant).map((v) => ({ p, v })));
  if (hits.length === 0) {
    const known = ps.flatMap((p) => p.variants.map((v) => v.name));
    throw new BadInput(`unknown variant '${variant}' of ${ps.map((p) => p.name).join(', ')} (see 'kcheck list')${suggest(variant, known)}`);
  }
  return hits;
}

export async function runCommand(names: string[], flags: RunFlags): Promise<number> {
  const ws = await loadWorkspace(flags);
  const todo = targets(ws, names, flags.variant);
  const reporter = reporterOf(flags);
  const results: CheckResult[] = [];
  const c = stdoutColors();
  const t0 = performance.now();
  for (const { p, v } of todo) {
    const options: CheckOptions = {
      protocol: p, variant: v.name, runs: flags.runs, seed: flags.seed, cpus: flags.cpus, ops: flags.ops,
      timeLimit: flags.timeLimit, strategy: flags.strategy, depth: flags.depth, maxPreemptions: flags.preemptionBound, maxEnvSteps: flags.envSteps,
      preempt: flags.preempt, swarm: flags.swarm, params: flags.param, maxStates: flags.maxStates, coverage: flags.coverage, reduction: flags.reduction === 'sleep',
      invariants: ws.invariants(p.name), sources: ws.sources(p.name), registry: ws.registry,
    };
    const parallel = flags.workers !== undefined || flags.shard !== undefined;
    const bar = progress(`${p.name}/${v.name}`, reporter === 'text', parallel ? 'blocks' : 'runs');
    const r = parallel
      ? await checkParallel({ ...options, protocol: p.name, workers: flags.workers, shard: flags.shard, onProgress: bar.update })
      : check({ ...options, onProgress: bar.update });
    bar.stop();
    results.push(r);
    if (reporter === 'text') out(renderCheck(r, c).join('\n'));
  }
  const failed = results.some((r) => !r.ok);
  const incomplete = results.some((r) => r.ok && r.incomplete);
  const ok = !failed && !incomplete;
  if (reporter === 'json') json({ ok, ...(flags.shard ? { shard: flags.shard } : {}), results });
  else if (reporter === 'junit') process.stdout.write(junitXml(results.map(checkCase)));
  else if (reporter === 'html') process.stdout.write(runHtml(results));
  else out(renderSummary(results, performance.now() - t0, c));
  return failed ? EXIT.counterexample : incomplete ? EXIT.incomplete : EXIT.holds;
}
