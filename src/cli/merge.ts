/**
 * kcheck merge: the `run --json --shard i/n` outputs of the n shards of one check as one
 * verdict. Every shard must be there once, with the same seed; per variant the runs, steps,
 * counters and coverage add up, and the counterexample is the one of the lowest failing block
 * (the one a single machine would have found first).
 */
import { readFileSync } from 'node:fs';
import type { CheckResult } from '../check/check.js';
import { BadInput } from '../check/options.js';
import { merge } from '../check/workers.js';
import { checkCase, junitXml } from '../report/junit.js';
import { renderCheck, renderSummary } from '../report/text.js';
import { EXIT, json, out, reporterOf, stdoutColors, type ReporterName } from './shared.js';

interface ShardJson { ok: boolean; shard?: { index: number; count: number }; results: CheckResult[] }

function read(file: string): ShardJson {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BadInput(`${file}: not a kcheck JSON result (${(e as Error).message.split('\n')[0]})`);
  }
  const d = data as Partial<ShardJson>;
  if (!Array.isArray(d.results)) throw new BadInput(`${file}: not the output of kcheck run --json`);
  if (!d.shard) throw new BadInput(`${file}: says no shard (run it with --shard i/n --json)`);
  return d as ShardJson;
}

export function mergeShards(files: string[]): CheckResult[] {
  const shards = files.map((f) => ({ file: f, ...read(f) }));
  const n = shards[0]!.shard!.count;
  const seen = new Map<number, string>();
  for (const s of shards) {
    if (s.shard!.count !== n) throw new BadInput(`${s.file} is shard ${s.shard!.index}/${s.shard!.count}, ${shards[0]!.file} one of ${n}`);
    if (seen.has(s.shard!.index)) throw new BadInput(`${s.file} and ${seen.get(s.shard!.index)} are both shard ${s.shard!.index}/${n}`);
    seen.set(s.shard!.index, s.file);
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) throw new BadInput(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${n}`).join(', ')} missing`);
  const byVariant = new Map<string, CheckResult[]>();
  for (const s of shards) for (const r of s.results) byVariant.set(`${r.protocol}/${r.variant}`, [...(byVariant.get(`${r.protocol}/${r.variant}`) ?? []), r]);
  return [...byVariant].map(([name, rs]) => {
    if (rs.length !== n) throw new BadInput(`${name} is in ${rs.length} of the ${n} shards`);
    const seeds = new Set(rs.map((r) => r.stats.seed));
    if (seeds.size > 1) throw new BadInput(`${name}: the shards ran with different seeds (${[...seeds].join(', ')}): they are not one check`);
    const failing = rs.filter((r) => !r.ok).sort((a, b) => (a.stats.blocks?.failing ?? Infinity) - (b.stats.blocks?.failing ?? Infinity))[0];
    const ordered = failing ? [...rs.filter((r) => r !== failing), failing] : rs;
    const wall = Math.max(...rs.map((r) => r.stats.timeMs));
    const m = merge(ordered, rs[0]!.stats.seed, wall, ordered.length);
    const ran = rs.flatMap((r) => r.stats.blocks?.ran ?? []).sort((a, b) => a - b);
    m.stats.blocks = { size: rs[0]!.stats.blocks?.size ?? 0, ran, ...(failing?.stats.blocks?.failing !== undefined ? { failing: failing.stats.blocks.failing } : {}) };
    const incomplete = rs.find((r) => r.ok && r.incomplete);
    return m.ok && incomplete && incomplete.ok ? { ...m, incomplete: incomplete.incomplete } : m;
  });
}

export function mergeCommand(files: string[], flags: { json?: boolean; reporter?: ReporterName }): number {
  const results = mergeShards(files);
  const failed = results.some((r) => !r.ok);
  const incomplete = results.some((r) => r.ok && r.incomplete);
  const reporter = reporterOf(flags);
  if (reporter === 'json') json({ ok: !failed && !incomplete, shards: files.length, results });
  else if (reporter === 'junit') process.stdout.write(junitXml(results.map(checkCase)));
  else {
    const c = stdoutColors();
    for (const r of results) out(renderCheck(r, c).join('\n'));
    out(renderSummary(results, Math.max(...results.map((r) => r.stats.timeMs)), c));
  }
  return failed ? EXIT.counterexample : incomplete ? EXIT.incomplete : EXIT.holds;
}
