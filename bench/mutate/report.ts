/**
 * The "Mutation self-audit" section of BENCHMARKS.md, rendered from bench/mutate/results.json and
 * the survivors' judgments (judged.ts). Score = killed / (killed + survivors not judged
 * equivalent); timed-out and crashed mutants are counted apart and left out of the score.
 */
import { fmt, median, table } from '../stats.js';
import { JUDGED } from './judged.js';
import { mutantKey, type MutantResult, type Results } from './results.js';

export const TITLE = 'Mutation self-audit';

const count = (rs: MutantResult[], s: MutantResult['status']) => rs.filter((r) => r.status === s).length;
const judgment = (protocol: string, file: string, r: MutantResult) => JUDGED.get(mutantKey(protocol, file, r));
const pct = (k: number, n: number) => (n === 0 ? '-' : `${((100 * k) / n).toFixed(1)}%`);

function scoreOf(protocol: string, file: string, rs: MutantResult[]) {
  const killed = count(rs, 'killed');
  const equivalent = rs.filter((r) => r.status === 'survived' && judgment(protocol, file, r)?.verdict === 'equivalent').length;
  const survived = count(rs, 'survived');
  return { killed, lost: rs.filter((r) => r.lost).length, survived, equivalent, timedOut: count(rs, 'timed-out'), crashed: count(rs, 'crashed'), denominator: killed + survived - equivalent };
}

type SuiteVerdict = 'killed' | 'equivalent' | 'unreached' | 'live';

/**
 * One mutant of a file as the whole suite judges it, over every protocol whose campaign ran it:
 * killed if any protocol killed it; else equivalent if a protocol judged it so and none a gap;
 * unreached if every protocol judged it unreached (code only buggy variants run, their bugs still
 * caught); live otherwise (gaps, survivors not judged yet). Null when every run timed out or crashed.
 */
function suiteVerdict(runs: { protocol: string; file: string; r: MutantResult }[]): SuiteVerdict | null {
  if (runs.some((x) => x.r.status === 'killed')) return 'killed';
  const survived = runs.filter((x) => x.r.status === 'survived').map((x) => judgment(x.protocol, x.file, x.r)?.verdict);
  if (survived.length === 0) return null;
  if (survived.includes('equivalent') && !survived.includes('gap')) return 'equivalent';
  return survived.every((v) => v === 'unreached') ? 'unreached' : 'live';
}

/**
 * Stratified estimate of killed / (killed + the surviving verdicts `counted`): each file weighs
 * its estimated count of counted mutants (a sampled file stands for all its mutants), with a 95%
 * normal-approximation interval from the sampled files' variance (finite-population corrected,
 * 0 for a file that ran in full; each stratum's proportion adjusted as Agresti-Coull's, so that a
 * small sample that is all killed still counts as uncertain).
 */
function estimate(files: { listed: number; verdicts: (SuiteVerdict | null)[] }[], counted: SuiteVerdict[]) {
  let weight = 0, killedWeight = 0, variance = 0;
  const strata: { d: number; k: number; n: number }[] = [];
  for (const f of files) {
    const killed = f.verdicts.filter((v) => v === 'killed').length;
    const denominator = killed + f.verdicts.filter((v) => v !== null && counted.includes(v)).length;
    if (denominator === 0) continue;
    const d = (f.listed * denominator) / f.verdicts.length;
    const p = killed / denominator;
    weight += d;
    killedWeight += d * p;
    strata.push({ d, k: killed, n: denominator });
  }
  // Agresti-Coull's adjusted proportion in each stratum's variance: a small sample that is all
  // killed (p = 1) would otherwise claim no uncertainty at all
  for (const x of strata) {
    const pt = (x.k + 2) / (x.n + 4);
    variance += (x.d / weight) ** 2 * (pt * (1 - pt) / (x.n + 4)) * Math.max(0, 1 - x.n / x.d);
  }
  const score = killedWeight / weight;
  const half = 1.96 * Math.sqrt(variance);
  return { score, low: Math.max(0, score - half), high: Math.min(1, score + half) };
}

/**
 * The score of src/kernel as a whole: each mutant once, judged by the whole suite (suiteVerdict:
 * a file that several protocols import is killed by whichever runs it). Samples taken with the
 * same seed nest, so the union of two protocols' samples of a file is the larger one. `all`
 * counts unreached survivors as live (the target's measure); `reached` leaves them out (the
 * score over code some correct variant runs, as Stryker's "covered" score does).
 */
export function wholeTree(results: Results) {
  const byFile = new Map<string, { listed: number; mutants: Map<string, { protocol: string; file: string; r: MutantResult }[]> }>();
  for (const [protocol, pr] of Object.entries(results)) {
    for (const [file, fr] of Object.entries(pr.files)) {
      const f = byFile.get(file) ?? { listed: fr.listed, mutants: new Map() };
      byFile.set(file, f);
      for (const r of fr.results) {
        const key = mutantKey('', file, r);
        f.mutants.set(key, [...(f.mutants.get(key) ?? []), { protocol, file, r }]);
      }
    }
  }
  const files = [...byFile.values()].map((f) => ({ listed: f.listed, verdicts: [...f.mutants.values()].map(suiteVerdict) }));
  const tally = (v: SuiteVerdict) => files.reduce((n, f) => n + f.verdicts.filter((x) => x === v).length, 0);
  return {
    files: files.length, listed: files.reduce((n, f) => n + f.listed, 0), ran: files.reduce((n, f) => n + f.verdicts.length, 0),
    killed: tally('killed'), equivalent: tally('equivalent'), unreached: tally('unreached'), live: tally('live'),
    all: estimate(files, ['live', 'unreached']), reached: estimate(files, ['live']),
  };
}

/** The buggy variants' phase as the campaign ran it (results from before it have none). */
function buggyPhase(pr: Results[string]): string {
  if (!pr.buggy) return 'No buggy-variant phase (results from before it).';
  const left = pr.buggyLeftOut?.length ? `; left out (not caught as expected by the unmutated model in 20,000 runs): ${pr.buggyLeftOut.map((v) => `\`${v}\``).join(', ')}` : '';
  return `Buggy variants: ${pr.buggy.length}, caught by the unmutated model at run ${pr.buggy.map((b) => fmt(b.baselineRun)).join(', ')}${left}.`;
}

export function renderSection(results: Results): string {
  const parts = [
    'Written by `npm run mutate` (not part of `npm run bench`, which re-renders this section from `bench/mutate/results.json`).',
    'Each mutant of a kernel-model file (`bench/mutate/mutator.ts`: removed assignment/call/yield, swap across a yield, dropped lock,',
    'off-by-one, negated condition, flipped equality/logical operator, wrong CPU) is compiled alone into a copy of `dist/` and checked',
    'in a child process against **every correct variant** of the protocol (default portfolio with swarm, fixed seed, the runs below per',
    'variant, livelock after 5,000 steps, no shrinking), stopping at the first violation; if they all hold, against **every buggy variant**,',
    'killed if one is no longer caught by its expected invariant within ten times the runs the unmutated model needed (at least 1,000,',
    'at most 20,000; with the same seed an unaffected variant is caught at the same run). That is the test suite\'s contract, and it is',
    'what judges code that only a buggy variant\'s toggle runs. **Score = killed / (killed + survivors not judged equivalent)** (judgments in `bench/mutate/judged.ts`);',
    'timed-out (wall timeout) and crashed (the check threw) mutants are counted apart and left out of the score. Sampled rows ran a',
    'seeded sample of the file\'s mutants (`--max`, `--fraction`); where survivors are "not judged yet", the score is a lower bound until they are judged.',
    '',
  ];
  const w = wholeTree(results);
  const est = (e: { score: number; low: number; high: number }) => `${(100 * e.score).toFixed(1)}% (95% interval ${(100 * e.low).toFixed(1)}-${(100 * e.high).toFixed(1)}%)`;
  parts.push('### src/kernel as a whole', '',
    `Each mutant counted once, judged by the whole suite: killed if any protocol's campaign killed it (a file several protocols import is killed by whichever runs it), equivalent if one judged it so and none a gap: ${fmt(w.files)} files, ${fmt(w.listed)} mutants, ${fmt(w.ran)} run (${pct(w.ran, w.listed)}): `
    + `${fmt(w.killed)} killed, ${fmt(w.equivalent)} equivalent, ${fmt(w.unreached)} unreached (code only buggy variants run, their bugs still caught), ${fmt(w.live)} live (gaps and survivors not judged yet). `
    + `**Estimated score ${est(w.all)}**, unreached survivors counted as live; over code some correct variant runs (unreached left out), ${est(w.reached)}. A sampled file stands for all its mutants.`, '');
  const survivors: (string | number)[][] = [];
  for (const [protocol, pr] of Object.entries(results)) {
    const rows: (string | number)[][] = [];
    const tot = { killed: 0, lost: 0, survived: 0, equivalent: 0, timedOut: 0, crashed: 0, denominator: 0 };
    const ms: number[] = [];
    for (const [file, fr] of Object.entries(pr.files)) {
      const s = scoreOf(protocol, file, fr.results);
      for (const k of Object.keys(tot) as (keyof typeof tot)[]) tot[k] += s[k];
      ms.push(...fr.results.map((r) => r.ms));
      const ran = fr.sampled !== undefined ? `${fr.results.length} of ${fr.listed} (sampled)` : `${fr.results.length} of ${fr.listed}`;
      rows.push([file.replace(/^src\/kernel\//, ''), ran, s.killed, s.lost, s.survived, s.equivalent, s.timedOut, s.crashed, pct(s.killed, s.denominator)]);
      for (const r of fr.results.filter((x) => x.status !== 'killed')) {
        const j = judgment(protocol, file, r);
        survivors.push([protocol, `${file.replace(/^src\/kernel\//, '')}:${r.line}`, r.status, r.kind, `${r.mutation.replace(/\|/g, '\\|')}`,
          j ? `**${j.verdict}**: ${j.reason}` : r.error ? `crash: ${r.error.replace(/\|/g, '\\|')}` : 'not judged yet']);
      }
    }
    rows.push(['**all**', '', tot.killed, tot.lost, tot.survived, tot.equivalent, tot.timedOut, tot.crashed, `**${pct(tot.killed, tot.denominator)}**`]);
    const verdicts = new Map<string, number>();
    for (const [file, fr] of Object.entries(pr.files)) {
      for (const r of fr.results.filter((x) => x.status === 'survived')) {
        const v = judgment(protocol, file, r)?.verdict ?? 'not judged yet';
        verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
      }
    }
    parts.push(`### ${protocol}`, '',
      `${pr.date}: correct variants ${pr.variants.map((v) => `\`${v}\``).join(', ')}; ${fmt(pr.runs)} runs per variant, seed ${pr.seed}; timeout ${pr.timeoutMs / 1000} s of CPU time per mutant; `
      + `${buggyPhase(pr)} Baseline (unmutated, compiled the same way, buggy variants probed with 20,000 runs each) in ${(pr.baselineMs / 1000).toFixed(1)} s; median ${(median(ms) / 1000).toFixed(1)} s per mutant (${pr.jobs ?? 2} child process${(pr.jobs ?? 2) === 1 ? '' : 'es'} at a time, shared machine).`, '',
      table(['file', 'mutants run', 'killed', 'of which by a buggy variant', 'survived', 'of which equivalent', 'timed out', 'crashed', 'score'], rows), '',
      `Survivors: ${[...verdicts].map(([v, n]) => `${n} ${v}`).join(', ') || 'none'}.`, '');
  }
  const gaps = survivors.filter((r) => String(r[5]).startsWith('**gap**'));
  parts.push('### Gaps found', '',
    'Survivors judged real gaps: a mutant the checks should have killed. The reason names the workload or invariant that would kill it.', '',
    gaps.length ? gaps.map((r) => `- ${r[0]} \`${r[1]}\` (${r[3]}: ${r[4]}): ${String(r[5]).replace('**gap**: ', '')}`).join('\n') : 'none', '');
  parts.push('Timed out: the mutant loops forever inside one atomic step (a CPU spinning with no interleaving point), which the engine\'s step budget cannot see; only the timeout (CPU time, with a wall cap of ten timeouts) ends it. '
    + 'Crashed: the check threw outside the kernel model\'s semantics (a mutator limitation, e.g. `cpu-index` in boot code whose context has no World).', '');
  parts.push('### Survivors, timed-out and crashed mutants', '',
    survivors.length ? table(['protocol', 'file:line', 'status', 'kind', 'mutation', 'judgment'], survivors) : 'none', '');
  return parts.join('\n');
}

/** BENCHMARKS.md with the section replaced (or appended). */
export function withSection(md: string, body: string): string {
  const head = `## ${TITLE}`;
  const section = `${head}\n\n${body}`;
  const at = md.indexOf(`${head}\n`);
  if (at < 0) return `${md.trimEnd()}\n\n${section}`;
  const next = md.indexOf('\n## ', at + head.length);
  return md.slice(0, at) + section + (next < 0 ? '' : md.slice(next));
}
