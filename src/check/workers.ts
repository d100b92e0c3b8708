/**
 * Parallel and sharded checks. The runs are cut into fixed blocks, each with its own seed
 * derived from the check's seed and the block number, so the blocks do not depend on how many
 * workers or shards there are. Blocks run on a tinypool of worker threads; the merge takes the
 * blocks in order up to the first failing one, so the same seed gives the same verdict, the
 * same counterexample and the same counts with any number of workers. A shard i/n runs the
 * blocks b with b mod n = i-1: n machines together run exactly the blocks of one check.
 */
import { Tinypool } from 'tinypool';
import { check, type CheckResult, type Stats } from './check.js';
import { mergeCoverage } from './coverage.js';
import { BadInput, isExhaustive, resolveOptions, type CheckOptions } from './options.js';
import type { BlockTask } from './workers-task.js';

export interface Shard {
  /** 1-based */
  index: number;
  count: number;
}

export interface ParallelOptions extends Omit<CheckOptions, 'onProgress'> {
  /**
   * default 0: worker threads; 0 runs the blocks in this thread. Workers load a user's protocol
   * and invariants from `sources` (functions cannot cross threads): the protocol must then be a
   * name, of a built-in protocol or of one that a protocol file in `sources` defines.
   */
  workers?: number;
  /** default: the whole check */
  shard?: Shard;
  /** default 50 (pct: 200, dfs/bfs: 1): runs (workloads) per block; part of what the seed means */
  blockRuns?: number;
  /** default none: called as blocks complete */
  onProgress?: (blocksDone: number, blocksTotal: number) => void;
}

export function parseShard(raw: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new BadInput(`shard must be i/n with 1 <= i <= n, got '${raw}'`);
  return { index, count };
}

/** Seed of block b: a fixed mix of the check's seed and b (splitmix32 finaliser). */
export function blockSeed(seed: number, b: number): number {
  let z = (seed + Math.imul(b + 1, 0x9e3779b9)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}

export async function checkParallel(o: ParallelOptions): Promise<CheckResult> {
  const r = resolveOptions({ ...o, invariants: [] });
  // pct blocks are larger: each block estimates k with its own 32 pilot runs
  const per = o.blockRuns ?? (isExhaustive(r.strategy) ? 1 : r.strategy === 'pct' ? 200 : 50);
  const shard = o.shard ?? { index: 1, count: 1 };
  const blocks: number[] = [];
  for (let b = 0; b * per < r.runs; b++) if (b % shard.count === shard.index - 1) blocks.push(b);
  const t0 = performance.now();
  const deadline = r.timeLimit ? t0 + r.timeLimit * 1000 : Infinity;
  const workers = o.workers ?? 0; // 0: in this thread (a shard without --workers)
  const pool = workers > 0 && blocks.length > 1
    ? new Tinypool({ filename: new URL('./workers-task.js', import.meta.url).href, minThreads: workers, maxThreads: workers })
    : null;
  if (pool && typeof o.protocol !== 'string') throw new BadInput('--workers needs the protocol by name: a built-in one, or one from a protocol file in `sources`');
  const { workers: _w, shard: _s, blockRuns: _b, onProgress, ...check1 } = o;
  const results = new Map<number, CheckResult>();
  let firstFailing = Infinity;
  const block = (b: number): CheckOptions | null => {
    const left = (deadline - performance.now()) / 1000;
    if (b > firstFailing || left <= 0) return null;
    return { ...check1, seed: blockSeed(r.seed, b), runs: Math.min(per, r.runs - b * per), ...(Number.isFinite(left) ? { timeLimit: left } : {}) };
  };
  const inPool = (c: CheckOptions): Promise<CheckResult> => {
    const { invariants: _i, registry: _r, ...options } = c;
    const task: BlockTask = { options: { ...options, protocol: c.protocol as string }, sources: c.sources ?? [] };
    return pool!.run(task);
  };
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (next < blocks.length) {
      const b = blocks[next++]!;
      const c = block(b);
      if (!c) continue;
      const res: CheckResult = pool ? await inPool(c) : check(c);
      results.set(b, res);
      onProgress?.(++done, blocks.length);
      if (!res.ok) firstFailing = Math.min(firstFailing, b);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, workers) }, lane));
  } finally {
    await pool?.destroy();
  }
  const ran = blocks.filter((b) => b <= firstFailing && results.has(b));
  const merged = merge(ran.map((b) => results.get(b)!), r.seed, performance.now() - t0, blocks.length);
  merged.stats.blocks = { size: per, ran, ...(Number.isFinite(firstFailing) ? { failing: firstFailing } : {}) };
  return merged;
}

/**
 * The blocks in order, up to and including the first failing one, as one result (also the
 * results of the shards of one check, failing one last: kcheck merge).
 */
export function merge(rs: CheckResult[], seed: number, wallMs: number, planned: number): CheckResult {
  if (rs.length === 0) throw new BadInput('no block ran (time limit too short, or an empty shard)');
  const last = rs[rs.length - 1]!;
  const before = rs.slice(0, -1).reduce((n, x) => n + x.stats.runs, 0);
  const sum = (f: (s: Stats) => number) => rs.reduce((n, x) => n + f(x.stats), 0);
  const counters: Record<string, number> = {};
  for (const x of rs) for (const k in x.stats.counters) counters[k] = (counters[k] ?? 0) + x.stats.counters[k]!;
  const s0 = last.stats;
  const stats: Stats = {
    ...s0, runs: sum((s) => s.runs), steps: sum((s) => s.steps), timeMs: wallMs, seed, counters,
    interrupted: rs.some((x) => x.stats.interrupted) || (last.ok && rs.length < planned),
    ...(s0.firstFailureRun !== undefined ? { firstFailureRun: before + s0.firstFailureRun } : {}),
  };
  const pcts = rs.map((x) => x.stats.pct).filter((p) => p !== undefined);
  if (pcts.length === rs.length && pcts.length > 0) {
    const bound = Math.min(...pcts.map((p) => p.bound));
    const miss = rs.reduce((m, x) => m * (1 - x.stats.pct!.bound) ** x.stats.runs, 1);
    stats.pct = {
      depth: pcts[0]!.depth, n: Math.max(...pcts.map((p) => p.n)), k: Math.max(...pcts.map((p) => p.k)),
      longerRuns: pcts.reduce((n, p) => n + p.longerRuns, 0), bound, confidence: 1 - miss,
    };
  }
  const covs = rs.map((x) => x.stats.coverage).filter((c) => c !== undefined);
  if (covs.length > 0) stats.coverage = mergeCoverage(covs);
  const xs = rs.map((x) => x.stats.exhaustive).filter((x) => x !== undefined);
  if (xs.length === rs.length && xs.length > 0) {
    const add = (f: (x: (typeof xs)[number]) => number) => xs.reduce((n, x) => n + f(x), 0);
    stats.exhaustive = {
      ...xs[0]!, completeWorkloads: add((x) => x.completeWorkloads), workloads: add((x) => x.workloads),
      states: add((x) => x.states), transitions: add((x) => x.transitions), executions: add((x) => x.executions), steps: add((x) => x.steps),
      statesPerSec: Math.round(add((x) => x.states) / (wallMs / 1000)),
    };
  }
  return { ...last, stats };
}
