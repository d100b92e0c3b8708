/**
 * Text rendering of results, at the edge: the violated invariant and its meaning, the workload
 * per CPU, the trace as per-CPU lanes with kernel function names and the values each step
 * changed, the spec state that refused, and the replay command.
 */
import pc from 'picocolors';
import type { CheckResult, Counterexample, ReplayResult, Stats } from '../check/check.js';
import type { CoverageReport } from '../check/coverage.js';
import type { TraceStep } from '../engine/result.js';

export interface Colors { bold(s: string): string; dim(s: string): string; red(s: string): string; green(s: string): string; yellow(s: string): string; cyan(s: string): string }

/** No colour unless stdout is a TTY and CI is not set. */
export function colors(enabled: boolean): Colors {
  const c = pc.createColors(enabled);
  return { bold: c.bold, dim: c.dim, red: c.red, green: c.green, yellow: c.yellow, cyan: c.cyan };
}

export function colorEnabled(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.CI && !process.env.NO_COLOR;
}

function lanes(step: TraceStep, cpus: number): string {
  let s = '';
  for (let c = 0; c < cpus; c++) s += c === step.cpu ? '●' : '│';
  return s;
}

const HEAD = 40;
const TAIL = 60;

/** The trace, one line per step; a CPU's lane shows ● when it runs the step. */
export function renderTrace(trace: TraceStep[], cpus: number, c: Colors): string[] {
  const out: string[] = [];
  const header = Array.from({ length: cpus }, (_, i) => String(i)).join('');
  out.push(c.dim(`  step  ${header.padEnd(cpus)}  (lanes: cpu0..cpu${cpus - 1}; ● runs the step; ⇄ a preemption, · another unit goes on after one stopped)`));
  // a livelock runs to the step budget: its start and its repeating end tell the story
  const shown = trace.length > HEAD + TAIL ? [...trace.slice(0, HEAD), null, ...trace.slice(-TAIL)] : trace;
  for (const s of shown) {
    if (s === null) {
      out.push(c.yellow(`  … ${trace.length - HEAD - TAIL} steps not shown (--json has the whole trace) …`));
      continue;
    }
    const mark = s.preempted ? c.yellow('⇄') : s.switched && s.i > 0 ? '·' : ' ';
    out.push(`  ${String(s.i).padStart(4)}  ${lanes(s, cpus)} ${mark} ${c.cyan(s.ctx.padEnd(13))} ${c.bold(s.fn)}: ${s.what}`);
    const pad = ' '.repeat(9 + cpus + 16);
    for (const ch of s.changes) out.push(c.dim(`${pad}${ch}`));
    for (const ev of s.spec) out.push(c.dim(`${pad}spec ← ${ev}`));
    for (const w of s.warnings) out.push(c.yellow(`${pad}${w}`));
  }
  return out;
}

export function renderCounterexample(cx: Counterexample, c: Colors): string[] {
  const f = cx.failure;
  const out: string[] = [];
  out.push(c.red(c.bold(`✗ ${f.invariant} violated`)) + c.dim(` (${f.kind}, after step ${f.step})`));
  out.push(`  meaning: ${f.meaning}`);
  out.push(`  ${c.bold(f.message)}`);
  if (f.specState) out.push(`  spec state that refused ${f.event}: ${f.specState}`);
  out.push('', c.bold('workload:'));
  for (const line of cx.workload) out.push(`  ${line}`);
  out.push('', c.bold(`counterexample: ${cx.steps} steps, ${cx.preemptions} preemption(s)`) + c.dim(' (a preemption switches away from a unit that could have gone on; ⇄ marks it)'));
  out.push(...renderTrace(cx.trace, cx.scenario.cpus, c));
  out.push('', `replay: ${c.bold(`npx kcheck replay ${cx.token}`)}`);
  return out;
}

/** The bounds every run had: what a reader needs to know a deeper bug was out of reach. */
export function renderBounds(s: Stats): string {
  const b = s.bounds;
  if (!b) return '';
  return `bounds per run: ${b.preemptions === null ? 'preemptions unbounded' : `≤ ${b.preemptions} preemption(s)`}, ≤ ${b.envSteps} environment action(s), livelock after ${b.steps} steps; kernel preemption model ${b.preempt}`;
}

function renderStats(s: Stats, c: Colors): string[] {
  const rate = s.timeMs > 0 ? Math.round((s.steps / s.timeMs) * 1000) : 0;
  const env = s.envOverrides.length ? c.yellow(` [env: ${s.envOverrides.join(' ')}]`) : '';
  const costs = Object.entries(s.counters).map(([k, v]) => `${k}=${v}`).join(' ');
  const bounds = renderBounds(s);
  const how = renderExploration(s);
  return [c.dim(`${s.runs} runs, ${s.steps} steps in ${(s.timeMs / 1000).toFixed(2)} s (${rate} steps/s), seed ${s.seed}${s.interrupted ? ', stopped by time limit' : ''}${costs ? `, events: ${costs}` : ''}`) + env,
    ...(bounds ? [c.dim(bounds)] : []), ...(how ? [c.dim(how)] : [])];
}

/** How the runs were made: the budget, the portfolio's mix, swarm testing, fixed parameters. */
function renderExploration(s: Stats): string {
  const parts: string[] = [];
  if (s.budget) parts.push(`default budget ${s.budget.runs} runs or ${s.budget.seconds} s, stopping at the first counterexample`);
  if (s.portfolio) parts.push(`portfolio: ${Object.entries(s.portfolio).map(([k, v]) => `${k} ${v}`).join(', ')} runs`);
  if (s.swarm) parts.push(`swarm: each run's workload drew a subset of the ${s.swarm.length} operation kinds (${s.swarm.join(', ')})`);
  if (s.params) parts.push(`parameters: ${Object.entries(s.params).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  return parts.join('; ');
}

const pct = (p: number) => (p >= 0.001 ? `${(p * 100).toPrecision(3)}%` : p.toExponential(2));

/** What a run established, in the strategy's own terms. */
export function established(s: Stats): string {
  const x = s.exhaustive;
  if (x) {
    const bound = `≤ ${x.preemptionBound} preemption(s)`;
    const cost = `${x.states} states, ${x.transitions} transitions, ${x.executions} executions, ${x.statesPerSec} states/s${x.reduction ? ', sleep-set reduction' : ''}`;
    if (x.stoppedBy) {
      return `${x.kind.toUpperCase()} INCOMPLETE: stopped by ${x.stoppedBy === 'max-states' ? '--max-states' : 'the time limit'}; ${x.completeWorkloads} of ${x.workloads} workload(s) explored completely `
        + `(every interleaving with ${bound}), the rest only in part; no violation in what was explored (${cost})`;
    }
    const which = x.workloads === 1 ? 'the workload below' : `the ${x.workloads} workloads below`;
    if (x.reduction && Number.isFinite(x.preemptionBound)) return `${x.kind.toUpperCase()}: ${which} with ${bound}, sleep-set reduced (not every interleaving: see above), no violation (${cost})`;
    return `${x.kind.toUpperCase()}: every interleaving of ${which} with ${bound} explored, no violation (${cost})`;
  }
  const p = s.pct;
  if (p) {
    const covered = s.runs - p.longerRuns;
    const caveat = p.longerRuns ? `; ${p.longerRuns} run(s) took more than k decisions and are not covered` : '';
    return `PCT depth ${p.depth}: for n = ${p.n} entities and k = ${p.k} decisions per run, each run hits a given bug of depth ≤ ${p.depth} with probability ≥ 1/(n·k^(d−1)) = ${pct(p.bound)}; `
      + `${covered} such runs give confidence ${pct(p.confidence)} for a bug every generated workload exposes${caveat}`;
  }
  return '(random exploration: no violation in these runs; it does not prove absence of bugs)';
}

/** The workloads an exhaustive search explored. */
function renderExplored(s: Stats, c: Colors): string[] {
  const x = s.exhaustive;
  if (!x) return [];
  const out = [c.bold(`workload${x.workloads === 1 ? '' : 's'} explored${x.workloads > x.explored.length ? ` (the first ${x.explored.length} of ${x.workloads})` : ''}:`)];
  x.explored.forEach((lines, i) => {
    if (x.workloads > 1) out.push(`  #${i + 1}`);
    for (const l of lines) out.push(`    ${l}`);
  });
  return out;
}

const share = (a: number, b: number) => `${a}/${b} (${b ? Math.round((a / b) * 100) : 0}%)`;

/** The --coverage table. */
export function renderCoverage(cov: CoverageReport, c: Colors): string[] {
  const out = [c.bold('coverage:'),
    `  statechart states       ${share(cov.states.covered, cov.states.total)}${cov.states.missed.length ? c.dim(`  missed: ${cov.states.missed.join(', ')}`) : ''}`,
    `  transitions             ${share(cov.transitions.covered, cov.transitions.total)}`,
    `  transition pairs        ${share(cov.pairs.covered, cov.pairs.total)} ${c.dim('(of all ordered pairs, not all feasible)')}`];
  for (const t of cov.transitions.missed) out.push(c.dim(`    not taken: ${t}`));
  const r = cov.reachable;
  if (r) {
    out.push(`  DFS-reachable abstract spec states hit ${share(r.hit, r.dfsStates)} ${c.dim(`(first workload: ${r.runs} runs of this strategy against DFS${r.complete ? '' : ', which stopped early'})`)}`);
  }
  return out;
}

/** The one-line verdict: ✓ only for what was shown. */
function headline(r: CheckResult, c: Colors): string {
  const name = `${r.protocol}/${r.variant}${r.buggy ? ' (known-buggy variant)' : ''}`;
  if (!r.ok) return `${c.red('✗')} ${name}: counterexample found (run ${r.stats.firstFailureRun}, shrunk ${r.stats.numShrinks} times)`;
  if (r.incomplete) return `${c.yellow('?')} ${name}: incomplete, ${r.incomplete}: no violation found, nothing proved`;
  if (r.stats.exhaustive) return `${c.green('✓')} ${name}: proved within the bounds below`;
  return `${c.green('✓')} ${name}: no violation in ${r.stats.runs} runs`;
}

export function renderCheck(r: CheckResult, c: Colors): string[] {
  const stats = renderStats(r.stats, c).map((l) => `  ${l}`);
  const coverage = r.stats.coverage ? renderCoverage(r.stats.coverage, c) : [];
  if (r.ok) {
    const what = established(r.stats);
    return [headline(r, c), ...stats, `  ${r.stats.pct || r.stats.exhaustive ? what : c.dim(what)}`, ...renderExplored(r.stats, c), ...coverage];
  }
  return [headline(r, c), ...stats, ...coverage, '', ...renderCounterexample(r, c)];
}

/** A replay: the counterexample (with a warning when it no longer follows its schedule), "holds" only when it replayed to its end. */
export function renderReplay(r: ReplayResult, c: Colors): string[] {
  const name = `${r.protocol}/${r.variant}`;
  if (r.verdict === 'holds') return [`${c.green('✓')} ${name}: the scenario replayed to its end and now holds`];
  const why = c.yellow(`the program no longer follows the recorded schedule (${r.divergence}); replayed leniently (choices modulo what is runnable)`);
  if (r.verdict === 'diverged') return [`${c.yellow('?')} ${name}: inconclusive: ${why}; no violation on that schedule, which shows nothing`];
  return [...(r.diverged ? [`${c.yellow('!')} ${name}: ${why}; it still fails:`, ''] : []), ...renderCounterexample(r, c)];
}

/** The last line of `kcheck run`: how many variants held, failed, stayed inconclusive, and the time. */
export function renderSummary(results: CheckResult[], ms: number, c: Colors): string {
  const failed = results.filter((r) => !r.ok).length;
  const incomplete = results.filter((r) => r.ok && r.incomplete).length;
  const held = results.length - failed - incomplete;
  const parts = [`${held} held`, ...(failed ? [c.red(`${failed} counterexample${failed === 1 ? '' : 's'}`)] : []), ...(incomplete ? [c.yellow(`${incomplete} incomplete`)] : [])];
  const seeds = [...new Set(results.map((r) => r.stats.seed))];
  return `${c.bold('summary:')} ${results.length} variant${results.length === 1 ? '' : 's'} checked: ${parts.join(', ')} in ${(ms / 1000).toFixed(1)} s (seed ${seeds.join(', ')})`;
}
