/**
 * npm run mutate -- [protocol…] [--file F] [--max N | --fraction P] [--unaudited] [--survivors] [--seed S] [--runs R]
 * [--jobs J]: the mutation self-audit. For each protocol, every mutant of the kernel-model files it runs (bench/mutate/
 * scope.ts, mutator.ts) is compiled alone into a private copy of dist/ and checked in a child
 * process (child.ts) against every correct variant of the protocol, then every buggy one: killed (a
 * correct variant fails, or a buggy one is no longer caught as expected: the variant and invariant
 * are recorded), survived, timed out (the child exceeded the wall timeout) or crashed (the child died).
 * A buggy variant's budget is ten times the runs the unmutated model needed to catch it (at least
 * 1,000, at most the default budget): with the same seed an unaffected variant is caught at the same
 * run, and a mutant that only delays the search a little is not counted as a kill. Results go to bench/mutate/results.json (merged per file) and the
 * "Mutation self-audit" section of BENCHMARKS.md is rewritten from them. --max N and --fraction P
 * run a seeded sample of each file's mutants (N at most; a share P, at least one; the same seed
 * makes a larger sample a superset of a smaller one); --unaudited leaves out the files another
 * protocol's campaign has already run in full, so that a file shared by several protocols
 * (mm/highmem.ts) is audited once, under the first; --survivors runs again only the mutants
 * recorded as survivors (after a new invariant or workload), keeping the other results. Otherwise
 * a mutant already recorded is not run again (delete its entry in results.json to force it).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BUDGET } from '../../src/check/options.js';
import { findProtocol } from '../../src/protocols.js';
import type { ChildJob, ChildResult } from './child.js';
import { mutantsOf, applyMutant, type Mutant } from './mutator.js';
import { renderSection, withSection } from './report.js';
import { loadResults, mutantKey, saveResults, type MutantResult, type ProtocolResults } from './results.js';
import { Sandbox, transpile } from './sandbox.js';
import { kernelFilesOf } from './scope.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ALL = ['kmap', 'page-protection', 'pasid', 'text-poke', 'memregion'];

interface Args { protocols: string[]; files: string[]; max?: number; fraction?: number; unaudited: boolean; survivors: boolean; seed: number; runs: number; jobs: number }

function parseArgs(argv: string[]): Args {
  const a: Args = { protocols: [], files: [], unaudited: false, survivors: false, seed: 1, runs: 1000, jobs: 2 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i]!;
    const num = () => Number(argv[++i]);
    if (v === '--file') a.files.push(argv[++i]!);
    else if (v === '--max') a.max = num();
    else if (v === '--fraction') a.fraction = num();
    else if (v === '--unaudited') a.unaudited = true;
    else if (v === '--survivors') a.survivors = true;
    else if (v === '--seed') a.seed = num();
    else if (v === '--runs') a.runs = num();
    else if (v === '--jobs') a.jobs = Math.min(2, num());
    else a.protocols.push(v);
  }
  if (a.protocols.length === 0) a.protocols = ALL;
  return a;
}

/** A seeded sample of n mutants (mulberry32), kept in source order. */
function sample(ms: Mutant[], n: number, seed: number): Mutant[] {
  let s = seed >>> 0;
  const rnd = () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32; };
  const idx = ms.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [idx[i], idx[j]] = [idx[j]!, idx[i]!]; }
  return idx.slice(0, n).sort((x, y) => x - y).map((i) => ms[i]!);
}

const children = new Set<ReturnType<typeof spawn>>();

type Outcome = { status: 'done'; result: ChildResult } | { status: 'timed-out' } | { status: 'crashed'; error: string };

/**
 * CPU time (user + system, ms) a child has used so far, from /proc (Linux); undefined elsewhere.
 * The timeout counts CPU time, not wall time: on a loaded machine a slow mutant is not a looping one.
 */
function cpuMsOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (USER_HZ = 100 on Linux)
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

function runChild(box: Sandbox, job: ChildJob, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(box.dir, 'dist', 'bench', 'mutate', 'child.js'), JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    let err = '';
    let timedOut = false;
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const t0 = performance.now();
    // CPU time where /proc has it, else wall time; a wall cap of ten timeouts in any case
    const timer = setInterval(() => {
      const used = child.pid === undefined ? undefined : cpuMsOf(child.pid);
      if ((used ?? performance.now() - t0) > timeoutMs || performance.now() - t0 > 10 * timeoutMs) { timedOut = true; child.kill('SIGKILL'); }
    }, 500);
    child.on('close', (code) => {
      clearInterval(timer);
      children.delete(child);
      if (timedOut) return resolve({ status: 'timed-out' });
      const line = out.trim().split('\n').pop();
      if (code === 0 && line) return resolve({ status: 'done', result: JSON.parse(line) as ChildResult });
      const lines = err.trim().split('\n').filter((l) => /Error|error/.test(l));
      resolve({ status: 'crashed', error: (lines[0] ?? err.trim().split('\n').pop() ?? `exit ${code}`).slice(0, 160) });
    });
  });
}

/** The buggy variants' budgets: the unmutated model probed with the default budget, each caught variant given ten times its runs. */
function buggyBudgets(caught: Record<string, number | null>) {
  const buggy = Object.entries(caught).flatMap(([variant, run]) => (run === null ? [] : [{ variant, baselineRun: run, runs: Math.min(DEFAULT_BUDGET.runs, Math.max(1000, 10 * run)) }]));
  // the quickest first: a mutant that loses a bug is usually told by the first ones
  buggy.sort((x, y) => x.baselineRun - y.baselineRun);
  return { buggy, leftOut: Object.keys(caught).filter((v) => caught[v] === null) };
}

/** The mutants to run, per file: a (sampled) listing, or with --survivors the survivors recorded earlier. */
function chosenMutants(a: Args, file: string, source: string, earlier: ProtocolResults | undefined, protocol: string) {
  const listed = mutantsOf(file, source);
  if (a.survivors) {
    const byKey = new Map(listed.map((m) => [mutantKey(protocol, file, m), m]));
    const old = earlier?.files[file]?.results.filter((r) => r.status === 'survived') ?? [];
    return { listed, chosen: old.flatMap((r) => byKey.get(mutantKey(protocol, file, r)) ?? []) };
  }
  const n = a.fraction !== undefined ? Math.max(1, Math.round(a.fraction * listed.length)) : a.max;
  return { listed, chosen: n !== undefined && listed.length > n ? sample(listed, n, a.seed) : listed };
}

async function campaign(protocol: string, a: Args, boxes: Sandbox[]): Promise<void> {
  const all = loadResults(root);
  const variants = findProtocol(protocol).variants;
  const correct = variants.filter((v) => !v.buggy).map((v) => v.name);
  const auditedElsewhere = (f: string) => Object.entries(all).some(([p, r]) => p !== protocol && r.files[f] && r.files[f].sampled === undefined);
  const files = kernelFilesOf(root, protocol)
    .filter((f) => a.files.length === 0 || a.files.some((x) => f.includes(x)))
    .filter((f) => !a.unaudited || !auditedElsewhere(f))
    .filter((f) => !a.survivors || all[protocol]?.files[f] !== undefined);
  const sources = new Map(files.map((f) => [f, readFileSync(join(root, f), 'utf8')]));
  const job: ChildJob = { protocol, variants: correct, buggy: [], runs: a.runs, seed: a.seed, maxSteps: 5000 };

  // the baseline: every file compiled as the mutants are; the correct variants must hold, and the buggy ones are probed
  boxes[0]!.put(new Map(files.map((f) => [f, transpile(f, sources.get(f)!)])));
  const probe = variants.filter((v) => v.buggy).map((v) => ({ variant: v.name, runs: DEFAULT_BUDGET.runs }));
  const base = await runChild(boxes[0]!, { ...job, buggy: probe, probe: true }, 1_800_000);
  if (base.status !== 'done' || base.result.killed) throw new Error(`${protocol}: the unmutated baseline does not hold: ${JSON.stringify(base)}`);
  const { buggy, leftOut } = buggyBudgets(base.result.caught);
  job.buggy = buggy.map(({ variant, runs }) => ({ variant, runs }));
  // CPU time: a mutant that only loses a bug spends the buggy budgets, ten baselines at most; three baselines otherwise, at least 60 s
  const timeoutMs = Math.max(60_000, 1000 * Math.round(3 * base.result.cpuMs / 1000));
  process.stderr.write(`mutate: ${protocol}: baseline holds in ${(base.result.ms / 1000).toFixed(1)} s, ${(base.result.cpuMs / 1000).toFixed(1)} s CPU (buggy variants left out: ${leftOut.join(', ') || 'none'}); timeout ${timeoutMs / 1000} s CPU\n`);

  const earlier = all[protocol];
  const pr: ProtocolResults = all[protocol] = { ...(earlier ?? { files: {} }), date: new Date().toISOString().slice(0, 10), variants: correct, buggy, buggyLeftOut: leftOut, runs: a.runs, seed: a.seed, maxSteps: job.maxSteps, timeoutMs, baselineMs: Math.round(base.result.ms), jobs: a.jobs };
  const queue: { file: string; m: Mutant }[] = [];
  for (const f of files) {
    const { listed, chosen } = chosenMutants(a, f, sources.get(f)!, earlier, protocol);
    if (a.survivors) {
      // the survivors run again; every other result stays
      const again = new Set(chosen.map((m) => mutantKey(protocol, f, m)));
      pr.files[f] = { ...pr.files[f]!, results: pr.files[f]!.results.filter((r) => !again.has(mutantKey(protocol, f, r))) };
      for (const m of chosen) queue.push({ file: f, m });
    } else {
      // a mutant of the sample already recorded keeps its result (a larger sample with the same seed is a superset)
      const keep = new Map((earlier?.files[f]?.results ?? []).map((r) => [mutantKey(protocol, f, r), r]));
      pr.files[f] = { listed: listed.length, ...(chosen.length < listed.length ? { sampled: chosen.length } : {}), results: chosen.flatMap((m) => { const r = keep.get(mutantKey(protocol, f, m)); return r ? [{ ...r, line: m.line }] : []; }) };
      for (const m of chosen) if (!keep.has(mutantKey(protocol, f, m))) queue.push({ file: f, m });
    }
  }
  let done = 0;
  const total = queue.length;
  const worker = async (box: Sandbox) => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { file, m } = next;
      const t0 = performance.now();
      let o: Outcome;
      try {
        box.put(new Map([[file, transpile(file, applyMutant(sources.get(file)!, m))]]));
        o = await runChild(box, job, timeoutMs);
      } catch (e) {
        o = { status: 'crashed', error: String(e).slice(0, 160) };
      }
      const { edit: _edit, file: _file, ...desc } = m;
      const r: MutantResult = { ...desc, status: o.status === 'done' ? (o.result.killed ? 'killed' : 'survived') : o.status, ms: Math.round(performance.now() - t0) };
      if (o.status === 'done' && o.result.killed) Object.assign(r, { variant: o.result.variant, invariant: o.result.invariant }, o.result.lost ? { lost: true } : {});
      if (o.status === 'crashed') r.error = o.error;
      pr.files[file]!.results.push(r);
      saveResults(root, all);
      process.stderr.write(`mutate: ${protocol} ${++done}/${total} ${file}:${m.line} ${m.kind} ${r.status}${r.invariant ? ` (${r.lost ? 'lost: ' : ''}${r.variant}: ${r.invariant})` : ''} ${(r.ms / 1000).toFixed(1)} s\n`);
    }
  };
  await Promise.all(boxes.map(worker));
  for (const f of files) pr.files[f]!.results.sort((x, y) => x.line - y.line);
  saveResults(root, all);
}

const args = parseArgs(process.argv.slice(2));
const boxes = Array.from({ length: args.jobs }, () => new Sandbox(root));
// interrupted: the children die with their process group's signal; the sandboxes go
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    for (const c of children) c.kill('SIGKILL');
    for (const b of boxes) b.remove();
    process.exit(130);
  });
}
try {
  for (const p of args.protocols) await campaign(p, args, boxes);
} finally {
  for (const b of boxes) b.remove();
}
const bench = join(root, 'BENCHMARKS.md');
writeFileSync(bench, withSection(readFileSync(bench, 'utf8'), renderSection(loadResults(root))));
process.stderr.write('mutate: wrote bench/mutate/results.json and the Mutation self-audit section of BENCHMARKS.md\n');
