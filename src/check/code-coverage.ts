/**
 * Code coverage of the kernel model (src/kernel) that a check reaches: V8's precise block
 * coverage, taken in this process through the inspector, mapped back to the TypeScript sources
 * with v8-to-istanbul (the converter c8 and vitest use) and summed up with istanbul-lib-coverage.
 * A kernel path that no run takes is a path no invariant has judged: this is the measure of
 * "reach every path". Branches are V8's blocks (each arm of a condition, loop body, early
 * return), as c8 reports them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { Profiler } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeScriptCovs } from '@bcoe/v8-coverage';
import libCoverage, { type CoverageMap } from 'istanbul-lib-coverage';
import v8toIstanbul from 'v8-to-istanbul';

export interface Count { covered: number; total: number }

/** A branch (V8 block) of the kernel model that the runs never took. */
export interface MissedBranch {
  /** path from the package root, e.g. src/kernel/mm/highmem.ts */
  file: string;
  line: number;
  /** the source line, trimmed */
  text: string;
  /** the reason written next to it (`// unreached: why`), if any */
  reason?: string;
}

export interface CodeCoverage {
  lines: Count;
  branches: Count;
  /** per file: lines and branches, over the files the runs entered */
  files: { file: string; lines: Count; branches: Count }[];
  missed: MissedBranch[];
}

const KERNEL = '/src/kernel/';
/** where the compiled kernel model lives, next to this module (dist/, or a test build) */
const COMPILED = new URL('../kernel/', import.meta.url).href;

/** One check under coverage: the verdict, what it ran, and the files whose functions it entered. */
interface Measured { variant: string; verdict: string; map: CoverageMap; entered: string[] }

/**
 * Runs the checks in a child process started with NODE_V8_COVERAGE, so that V8 counts every
 * function of the kernel model from the moment it is compiled (a function it has not compiled
 * would otherwise count as covered); the child writes the counters after each variant with
 * v8.takeCoverage(), which also resets them.
 */
async function measured(protocol: string, variants: string[], seed: number, runs: number | undefined): Promise<Measured[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kcheck-coverage-'));
  try {
    const child = spawnSync(process.execPath, [fileURLToPath(new URL('./coverage-child.js', import.meta.url)), protocol, String(seed), String(runs ?? 0), ...variants], {
      env: { ...process.env, NODE_V8_COVERAGE: dir }, encoding: 'utf8', maxBuffer: 1 << 26,
    });
    if (child.status !== 0) throw new Error(`coverage run of ${protocol} failed: ${child.stderr.split('\n')[0]}`);
    const verdicts = child.stdout.trim().split('\n').map((l) => JSON.parse(l) as { variant: string; verdict: string });
    // coverage-<pid>-<time>-<n>.json, one per takeCoverage() plus one at exit, in time order
    const order = (f: string) => f.split('-').slice(2).map((n) => Number.parseInt(n, 10));
    const files = readdirSync(dir).sort((a, b) => order(a)[0]! - order(b)[0]! || order(a)[1]! - order(b)[1]!).map((f) => kernelScripts(join(dir, f)));
    // after a reset V8 lists only the functions that ran since: the first dump (module loading)
    // lists every function, and with its counts zeroed it gives the uncalled ones their 0
    const skeleton = files[0]!.map(zeroed);
    const out: Measured[] = [];
    for (const [i, v] of verdicts.entries()) {
      const ran = files[i + 1]!;
      const { map, sources } = await kernelMap(skeleton, ran);
      const entered = ran.filter((sc) => sc.functions.some((f) => f.ranges[0]!.count > 0)).map((sc) => sources.get(sc.url)!);
      out.push({ ...v, map, entered });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The src/kernel scripts of one V8 coverage file. */
function kernelScripts(file: string): Profiler.ScriptCoverage[] {
  const { result } = JSON.parse(readFileSync(file, 'utf8')) as { result: Profiler.ScriptCoverage[] };
  return result.filter((s) => s.url.startsWith(COMPILED));
}

/** Every function of a script with count 0, but the module's top level, which ran at load. */
function zeroed(s: Profiler.ScriptCoverage): Profiler.ScriptCoverage {
  return {
    ...s,
    functions: s.functions.map((f) => ({
      ...f, ranges: f.ranges.map((r, i) => ({ ...r, count: f.functionName === '' && r.startOffset === 0 && i === 0 ? r.count : 0 })),
    })),
  };
}

/**
 * One variant's coverage of src/kernel, as istanbul coverage of the TypeScript sources (through
 * the compiled files' source maps), and the source each compiled script maps to.
 */
async function kernelMap(skeleton: Profiler.ScriptCoverage[], ran: Profiler.ScriptCoverage[]): Promise<{ map: CoverageMap; sources: Map<string, string> }> {
  const map = libCoverage.createCoverageMap({});
  const sources = new Map<string, string>();
  for (const base of skeleton) {
    const script = mergeScriptCovs([base, ...ran.filter((s) => s.url === base.url)])!;
    const converter = v8toIstanbul(fileURLToPath(script.url), 0);
    await converter.load();
    converter.applyCoverage(script.functions);
    const data = converter.toIstanbul();
    sources.set(script.url, Object.keys(data)[0]!);
    map.merge(data);
    converter.destroy();
  }
  return { map, sources };
}

const relative = (path: string) => path.slice(path.lastIndexOf(KERNEL) + 1);

/** `// unreached: why` on the line or the line above: the author's reason a branch is not taken. */
function reasonAt(lines: string[], line: number): string | undefined {
  for (const l of [lines[line - 1], lines[line - 2]]) {
    const m = /\/\/\s*unreached:\s*(.+)$/.exec(l ?? '');
    if (m) return m[1]!.trim();
  }
  return undefined;
}

/**
 * Lines and branches of `map` over the files in `scope` (absolute TypeScript paths; default:
 * the files `map` has), with every branch never taken.
 */
export function summarize(map: CoverageMap, scope: readonly string[] = map.files()): CodeCoverage {
  const lines: Count = { covered: 0, total: 0 };
  const branches: Count = { covered: 0, total: 0 };
  const files: CodeCoverage['files'] = [];
  const missed: MissedBranch[] = [];
  for (const path of [...scope].sort()) {
    if (!map.files().includes(path)) continue;
    const fc = map.fileCoverageFor(path);
    const s = fc.toSummary();
    const f = { file: relative(path), lines: { covered: s.lines.covered, total: s.lines.total }, branches: { covered: s.branches.covered, total: s.branches.total } };
    files.push(f);
    for (const k of ['lines', 'branches'] as const) {
      (k === 'lines' ? lines : branches).covered += f[k].covered;
      (k === 'lines' ? lines : branches).total += f[k].total;
    }
    const source = readFileSync(path, 'utf8').split('\n');
    for (const [id, counts] of Object.entries(fc.b)) {
      const b = fc.branchMap[id]!;
      counts.forEach((n, i) => {
        if (n > 0) return;
        const line = (b.locations[i] ?? b.loc).start.line;
        const reason = reasonAt(source, line);
        missed.push({ file: f.file, line, text: (source[line - 1] ?? '').trim(), ...(reason ? { reason } : {}) });
      });
    }
  }
  return { lines, branches, files, missed: dedupe(missed) };
}

/** One entry per file and line (V8 may report several blocks starting on one line). */
function dedupe(xs: MissedBranch[]): MissedBranch[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = `${x.file}:${x.line}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export interface VariantCoverage {
  variant: string;
  buggy: boolean;
  /** 'holds' or the invariant the run found violated (a buggy variant's run stops there) */
  verdict: string;
  coverage: CodeCoverage;
}

export interface ProtocolCoverage {
  protocol: string;
  variants: VariantCoverage[];
  /** every variant's runs together: what no variant reaches is in `union.missed` */
  union: CodeCoverage;
}

/**
 * Every variant's default check (`seed`; `budget` runs instead of the default budget when given)
 * under V8 coverage, each summarised over the kernel files that the protocol's runs entered.
 */
export async function protocolCoverage(protocol: string, variants: { name: string; buggy: boolean }[], seed: number, budget?: number): Promise<ProtocolCoverage> {
  const runs = await measured(protocol, variants.map((v) => v.name), seed, budget);
  const all = libCoverage.createCoverageMap({});
  for (const m of runs) all.merge(m.map);
  // the protocol's files: those whose functions its runs entered (other protocols' files stay out)
  const scope = [...new Set(runs.flatMap((m) => m.entered))];
  return {
    protocol,
    variants: runs.map((m) => ({ variant: m.variant, buggy: variants.find((v) => v.name === m.variant)!.buggy, verdict: m.verdict, coverage: summarize(m.map, scope) })),
    union: summarize(all, scope),
  };
}
