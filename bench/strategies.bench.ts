/**
 * Strategies: the kill matrix (every buggy variant of every registered protocol × random, PCT
 * d=1..3, DFS), PCT against its bound on canaries of known depth, DFS throughput on kmap,
 * worker speed-up, shrunk counterexamples against the BFS-shortest, and the same kmap bug
 * written as a plain fast-check fc.scheduler test.
 */
import { cpus, loadavg } from 'node:os';
import * as fc from 'fast-check';
import { check } from '../src/check/check.js';
import { execute, type ExecOptions } from '../src/engine/engine.js';
import { checkParallel } from '../src/check/workers.js';
import { bfs } from '../src/explore/bfs.js';
import { dfs } from '../src/explore/dfs.js';
import { pctBound, pctInput, PctStrategy } from '../src/explore/pct.js';
import type { RandomInput } from '../src/explore/random.js';
import { pctDrawn, pctPilot, randomDrawn, type Drawn } from '../src/explore/sampled.js';
import { search } from '../src/explore/search.js';
import type { Protocol, Variant } from '../src/protocol.js';
import { findProtocol, findVariant, protocols } from '../src/protocols.js';
import { fmt, median, table } from './stats.js';

export const title = 'Exploration strategies';
export const order = 30;

const SEEDS = Array.from({ length: 20 }, (_, i) => 2000 + i);
/** runs per seed before giving up on the first counterexample */
const CAP = 200;
const exec = (cpus = 2): ExecOptions => ({ cpus, maxSteps: 5000, maxPreemptions: 3, maxEnvSteps: 32, trace: false });

interface Cell { rate: number; runs: number[]; ms: number[] }

/**
 * Runs to the first failure per seed (capped), as fast-check runs them with endOnFailure (no
 * shrinking). The per-run hit rate is the maximum-likelihood estimate from those geometric
 * trials: failures found / runs executed (censored seeds count their CAP runs).
 */
function sampledCell(p: Protocol, v: Variant, depth: number): Cell {
  const runs: number[] = [];
  const ms: number[] = [];
  let found = 0;
  let total = 0;
  for (const seed of SEEDS) {
    const t0 = performance.now();
    const wls = p.workload({ cpus: 2, ops: 6, variant: v });
    const drawn: Drawn<unknown> = (depth === 0 ? randomDrawn : pctDrawn(pctPilot(p, v, wls, exec(), seed), depth)) as Drawn<unknown>;
    const d = fc.check(fc.property(wls, drawn.arb, (wl, input) => !execute(p, v, wl, drawn.make(input), exec()).failure),
      { seed, numRuns: CAP, endOnFailure: true });
    total += d.numRuns;
    if (d.failed) found++;
    runs.push(d.failed ? d.numRuns : Infinity);
    ms.push(d.failed ? performance.now() - t0 : Infinity);
  }
  return { rate: found / total, runs, ms };
}

const cellText = (c: Cell) => {
  const r = median(c.runs);
  return `${(c.rate * 100).toFixed(1)}% · ${Number.isFinite(r) ? `${fmt(r)} runs, ${fmt(median(c.ms), 1)} ms` : `>${CAP} runs`}`;
};

/** DFS over the first 3 workloads with --ops 2, 20,000 states: found or not, and the cost. */
function dfsCell(p: Protocol, v: Variant): string {
  const t0 = performance.now();
  const r = search(p, v, p.workload({ cpus: 2, ops: 2, variant: v }), exec(), { kind: 'dfs', runs: 3, seed: 1, maxStates: 20_000, reduction: false, deadline: t0 + 5000 });
  const ms = performance.now() - t0;
  return r.failing ? `found · ${fmt(r.stats.states)} states, ${fmt(ms)} ms` : `none in ${fmt(r.stats.states)} states${r.stats.stoppedBy ? '' : ' (complete)'}`;
}

function killMatrix(): string {
  const rows: string[][] = [];
  let deep = 0;
  for (const p of protocols) {
    for (const v of p.variants.filter((x) => x.buggy)) {
      const cells = [0, 1, 2, 3].map((d) => sampledCell(p, v, d));
      if (cells[0]!.rate < 0.01) deep++;
      rows.push([`${p.name}/${v.name}`, ...cells.map(cellText), dfsCell(p, v)]);
    }
  }
  return [
    `Each cell: per-run hit rate (failures / runs over ${SEEDS.length} seeds, each run until its first counterexample or ${CAP} runs) · median runs and wall time to the first counterexample (before shrinking). `
      + `Generated workloads (\`--ops 6\`, 2 CPUs, ≤ 3 preemptions). DFS: the first 3 workloads with \`--ops 2\`, no reduction, ≤ 3 preemptions, 20,000 states or 5 s at most. `
      + `Variants where random hits in under 1% of runs: **${deep}**.`,
    '',
    table(['variant', 'random', 'pct d=1', 'pct d=2', 'pct d=3', 'dfs'], rows),
  ].join('\n');
}

// ---- PCT against its bound on bugs of known depth --------------------------------------

type K = { freed: number; used: number; v: number };
const task = (name: string, cpu: number, run: (x: any) => Generator<any, void, void>) => ({ name, cpu, run });

/**
 * The canaries of test/explore/pct.test.ts. Depth 1: A works 20 steps then frees, B uses the
 * object once (Burckhardt et al., Fig. 5 shape). Depth 2: a lost update behind 10 steps.
 */
function canary(name: string, depth: 1 | 2): Protocol {
  const k = (): K => ({ freed: 0, used: 0, v: 0 });
  const tasks = depth === 1
    ? [task('A', 0, function* (x) { for (let i = 0; i < 20; i++) yield { fn: 'work', what: `${i}` }; yield { fn: 'free', what: 'kfree' }; x.w.k.freed = 1; }),
      task('B', 1, function* (x) { yield { fn: 'use', what: 'use' }; x.w.k.used = x.w.k.freed ? 2 : 1; })]
    : [0, 1].map((cpu) => task(cpu ? 'B' : 'A', cpu, function* (x) {
      for (let i = 0; i < (cpu ? 0 : 10); i++) yield { fn: 'work', what: `${i}` };
      yield { fn: 'inc', what: 'read' };
      const seen = x.w.k.v;
      yield { fn: 'inc', what: 'write' };
      x.w.k.v = seen + 1;
    }));
  return {
    name, description: name, machine: findProtocol('kmap').machine, variants: [{ name: 'bug', buggy: true, description: '', source: 'bench', config: {} }],
    invariants: [depth === 1
      ? { name: `${name}/bug`, description: 'B runs before A frees', check: (w: { k: K }) => (w.k.used === 2 ? 'use after free' : null) }
      : { name: `${name}/bug`, description: 'no lost update', final: true, check: (w: { k: K }) => (w.k.v !== 2 ? 'lost update' : null) }],
    workload: () => fc.constant(null), setup: (_wl: unknown, _v: Variant) => ({ k: k(), tasks, irqs: [], hooks: {}, specInput: { pages: 1 } }),
    refusal: () => `${name}/bug`,
  } as unknown as Protocol;
}

function pctBounds(): string {
  const rows: (string | number)[][] = [];
  const RUNS = 2000;
  for (const [depth, label] of [[1, 'depth 1: use after free behind 20 steps'], [2, 'depth 2: lost update behind 10 steps']] as const) {
    const p = canary(`canary${depth}`, depth);
    const v = p.variants[0]!;
    const probe = new PctStrategy({ priorities: [], seed: 0, changes: [] }, 1, 1);
    execute(p, v, null, probe, exec());
    const k = probe.decisions;
    const bound = pctBound(2, k, depth);
    const rate = (s: (i: number) => { next(n: number, keys?: readonly string[]): number }) => {
      let hits = 0;
      for (let i = 0; i < RUNS; i++) if (execute(p, v, null, s(i), exec()).failure) hits++;
      return hits / RUNS;
    };
    const inputs = fc.sample(pctInput(depth), { seed: 9, numRuns: RUNS });
    const pct = rate((i) => new PctStrategy(inputs[i]!, depth, k));
    const rnd = fc.sample(randomDrawn.arb, { seed: 9, numRuns: RUNS });
    const random = rate((i) => randomDrawn.make(rnd[i]!));
    let s = 1;
    const uniform = rate(() => ({ next: (n: number) => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s >>> 16) % n; } }));
    rows.push([label, 2, k, bound.toPrecision(3), pct.toFixed(3), pct >= bound ? 'yes' : '**no**', random.toFixed(3), uniform.toFixed(4)]);
  }
  return [`${RUNS} runs each. n = 2 threads; k = scheduling decisions of a run. "random" is kcheck's random strategy (shrinkable choice lists, 0 = keep running past their end); "uniform" picks each runnable choice with probability 1/n at every decision.`, '',
    table(['bug (known depth)', 'n', 'k', 'PCT bound 1/(n·k^(d−1))', 'PCT d = depth, hit rate', 'meets bound', 'random', 'uniform walk'], rows)].join('\n');
}

// ---- DFS throughput ----------------------------------------------------------------------

function dfsThroughput(): string {
  const kmap = findProtocol('kmap');
  const v = findVariant(kmap, 'mainline');
  const rows: (string | number)[][] = [];
  const wls = fc.sample(kmap.workload({ cpus: 2, ops: 2, variant: v }), { seed: 1, numRuns: 3 });
  for (const B of [0, 1, 2]) {
    for (const reduction of [false, true]) {
      let states = 0;
      let ms = 0;
      let cpu = 0;
      let execs = 0;
      let transitions = 0;
      for (const wl of wls) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const r = dfs(kmap, v, wl, { exec: { ...exec(), maxPreemptions: B }, maxStates: 20_000, reduction });
        ms += performance.now() - t0;
        const c = process.cpuUsage(c0);
        cpu += (c.user + c.system) / 1000;
        states += r.states;
        execs += r.executions;
        transitions += r.transitions;
      }
      rows.push([B, reduction ? 'sleep sets' : 'none', fmt(states), fmt(transitions), fmt(execs), fmt(states / (ms / 1000)), fmt(states / (cpu / 1000))]);
    }
  }
  return [`kmap \`mainline\`, the first 3 workloads of seed 1 with \`--ops 2\`, at most 20,000 states each, one thread; per CPU-second discounts other processes' load. `
    + `The search is stateless (generators cannot be cloned): every new branch re-executes its prefix from the start, so a state costs about one execution (~40-80 engine steps with the spec), which bounds the rate far below a stateful model checker's.`, '',
    table(['preemption bound', 'reduction', 'states', 'transitions', 'executions', 'distinct states/s (wall)', 'per CPU-second'], rows)].join('\n');
}

// ---- workers -----------------------------------------------------------------------------

async function workerSpeedup(): Promise<string> {
  const rows: (string | number)[][] = [];
  let base = 0;
  for (const workers of [1, 2]) {
    const wall: number[] = [];
    const cpu: number[] = [];
    const load = loadavg()[0]!;
    for (let rep = 0; rep < 3; rep++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await checkParallel({ protocol: 'kmap', variant: 'mainline', runs: 8000, seed: 5, workers });
      const c = process.cpuUsage(c0);
      wall.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
    }
    base ||= median(wall);
    rows.push([workers, fmt(median(wall)), fmt(median(cpu)), (median(cpu) / median(wall)).toFixed(2), load.toFixed(1), (base / median(wall)).toFixed(2)]);
  }
  return [`kmap \`mainline\`, 8,000 runs in blocks of 50, median of 3 (worker start-up included). CPU = this process's CPU time over all its threads; `
    + `CPU/wall is how many cores the run actually got. Other processes' load (1-minute load average, ${cpus().length} cores) is not controlled: `
    + `when the machine is saturated the second worker gets no second core and cannot speed anything up.`, '',
    table(['workers', 'wall ms', 'CPU ms', 'cores used (CPU/wall)', 'load average', 'speed-up'], rows)].join('\n');
}

// ---- shrunk vs BFS-shortest ----------------------------------------------------------------

function shrinkVsBfs(): string {
  const rows: (string | number)[][] = [];
  let within = 0;
  let compared = 0;
  for (const p of protocols) {
    for (const v of p.variants.filter((x) => x.buggy)) {
      const r = check({ protocol: p.name, variant: v.name, runs: 2000, seed: 1, timeLimit: 5 });
      if (r.ok) { rows.push([`${p.name}/${v.name}`, 'not found', '', '', '']); continue; }
      const b = bfs(p, v, r.scenario.workload, { exec: { ...exec(), maxPreemptions: r.scenario.maxPreemptions }, maxStates: 50_000, deadline: performance.now() + 5_000 });
      if (!b.failure) { rows.push([`${p.name}/${v.name}`, r.steps, b.complete ? 'none (!)' : 'budget', '', '']); continue; }
      const ratio = b.failure.steps === 0 ? 1 : r.steps / b.failure.steps;
      compared++;
      if (ratio <= 1.2) within++;
      rows.push([`${p.name}/${v.name}`, r.steps, b.failure.steps, ratio.toFixed(2), b.failure.failure!.invariant === r.failure.invariant ? 'same' : b.failure.failure!.invariant]);
    }
  }
  return [`Shrunk and minimized counterexample of the random strategy (seed 1) against BFS (fewest steps) on the same minimized workload, within the same preemption bound. `
    + `Within 1.2×: **${within} of ${compared}** compared (${compared ? ((within / compared) * 100).toFixed(0) : '-'}%).`, '',
    table(['variant', 'shrunk steps', 'BFS-shortest steps', 'ratio', 'BFS invariant'], rows)].join('\n');
}

// ---- fc.scheduler --------------------------------------------------------------------------

/**
 * kmap B.4 #6 (nested kmap deadlock, pool of 2 slots) written as a TypeScript user would
 * without kcheck: async tasks whose every shared step awaits the fast-check scheduler.
 */
async function schedulerVersion(seed: number): Promise<{ found: number | null; ms: number; length: number }> {
  const t0 = performance.now();
  let length = 0;
  const d = await fc.check(fc.asyncProperty(fc.scheduler(), async (s) => {
    const count = [0, 0];
    const slotOf = new Map<number, number>();
    const waiters: (() => void)[] = [];
    const kmap = async (page: number) => {
      for (;;) {
        await s.schedule(Promise.resolve(), `kmap(p${page})`);
        const have = slotOf.get(page);
        if (have !== undefined) { count[have]!++; return; }
        const free = count.findIndex((c) => c === 0);
        if (free >= 0) { slotOf.set(page, free); count[free] = 2; return; }
        await new Promise<void>((wake) => waiters.push(wake)); // sleep in map_new_virtual
      }
    };
    const kunmap = async (page: number) => {
      await s.schedule(Promise.resolve(), `kunmap(p${page})`);
      const slot = slotOf.get(page)!;
      if (--count[slot]! === 1) { count[slot] = 0; slotOf.delete(page); waiters.splice(0).forEach((w) => w()); }
    };
    let done = 0;
    void (async () => { await kmap(0); await kmap(2); await kunmap(2); await kunmap(0); done++; })();
    void (async () => { await kmap(1); await kmap(2); await kunmap(2); await kunmap(1); done++; })();
    await s.waitIdle();
    length = s.report().length;
    return done === 2;
  }), { seed, numRuns: CAP, endOnFailure: true });
  return { found: d.failed ? d.numRuns : null, ms: performance.now() - t0, length };
}

async function schedulerComparison(): Promise<string> {
  const fcRuns: number[] = [];
  const fcMs: number[] = [];
  const fcLen: number[] = [];
  for (const seed of SEEDS) {
    const r = await schedulerVersion(seed).catch(() => ({ found: null, ms: NaN, length: 0 }));
    fcRuns.push(r.found ?? Infinity);
    fcMs.push(r.ms);
    if (r.found) fcLen.push(r.length);
  }
  const wl = { highmem: [true, true, true, false], tasks: [{ cpu: 0, ops: [['kmap', 0], ['kmap', 2], ['kunmap', 2], ['kunmap', 0]] }, { cpu: 1, ops: [['kmap', 1], ['kmap', 2], ['kunmap', 2], ['kunmap', 1]] }], irqs: [] };
  const kmap = findProtocol('kmap');
  const v = findVariant(kmap, 'nested-kmap-deadlock');
  const kcRuns: number[] = [];
  const kcMs: number[] = [];
  const fails = (c: RandomInput) => execute(kmap, v, wl, randomDrawn.make(c), exec()).failure !== null;
  for (const seed of SEEDS) {
    const t0 = performance.now();
    const d = fc.check(fc.property(randomDrawn.arb, (c) => !fails(c)), { seed, numRuns: CAP, endOnFailure: true });
    kcRuns.push(d.failed ? d.numRuns : Infinity);
    kcMs.push(performance.now() - t0);
  }
  // kcheck shrinks the schedule of the first failure (fast-check on the choice list)
  const d = fc.check(fc.property(randomDrawn.arb, (c) => !fails(c)), { seed: 1 });
  const shrunk = d.failed ? execute(kmap, v, wl, randomDrawn.make(d.counterexample![0]), exec()).steps : NaN;
  const b = bfs(kmap, v, wl, { exec: exec(), maxStates: 50_000 });
  const rate = (xs: number[]) => `${((xs.filter(Number.isFinite).length / xs.length) * 100).toFixed(0)}% of seeds within ${CAP} runs`;
  return [`kmap B.4 #6 (two tasks each holding a kmap() ask for a third page with 2 pkmap slots: both sleep forever). The fc.scheduler version is an async re-implementation of the pool; every kmap/kunmap awaits a scheduled promise; a deadlock shows as tasks still pending after \`waitIdle()\`. kcheck runs the real model with the same fixed workload. ${SEEDS.length} seeds. The lengths count different things: fc.scheduler's report lists one scheduled task per kmap/kunmap call of the coarse async model and is not shrunk; kcheck counts the model's steps (spin_lock, map_new_virtual, ...) after shrinking.`, '',
    table(['', 'found', 'median runs to first', 'median ms to first', 'counterexample length'], [
      ['fc.scheduler (no shrinking)', rate(fcRuns), fmt(median(fcRuns)), fmt(median(fcMs), 1), fcLen.length ? `${fmt(median(fcLen))} scheduled tasks in the report (median)` : '-'],
      ['kcheck random', rate(kcRuns), fmt(median(kcRuns)), fmt(median(kcMs), 1), `${fmt(shrunk)} steps shrunk (BFS-shortest: ${b.failure?.steps ?? '-'})`],
    ])].join('\n');
}

export async function run(): Promise<string> {
  return [
    '### PCT against its bound (bugs of known depth)', '', pctBounds(), '',
    '### Kill matrix', '', killMatrix(), '',
    '### DFS throughput', '', dfsThroughput(), '',
    '### Worker speed-up', '', await workerSpeedup(), '',
    '### Shrunk counterexamples against the BFS-shortest', '', shrinkVsBfs(), '',
    '### The same kmap bug as a plain fc.scheduler test', '', await schedulerComparison(),
  ].join('\n');
}
