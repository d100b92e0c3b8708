/**
 * The suite's self-check: every known-bug variant must be caught by its expected invariant and
 * every correct variant must hold. A table shows what caught what, how fast, and how short; the
 * seed is printed and every failing row says how to reproduce it (its token, or the run command).
 */
import { check, type CheckResult } from '../check/check.js';
import { resolveOptions } from '../check/options.js';
import { asExpected, type Protocol, type Variant } from '../protocol.js';
import { junitXml, type JUnitCase } from '../report/junit.js';
import { table } from '../report/table.js';
import { EXIT, json, out, progress, reporterOf, stdoutColors, type ReporterName } from './shared.js';
import { loadWorkspace, type Workspace, type WorkspaceFlags } from './workspace.js';

export interface AuditFlags extends WorkspaceFlags { json?: boolean; reporter?: ReporterName; runs?: number; seed?: number; cpus?: number }

export interface AuditRow {
  protocol: string;
  variant: string;
  buggy: boolean;
  expected: string;
  caughtBy: string | null;
  runs: number;
  runsToFailure: number | null;
  msToFailure: number | null;
  steps: number | null;
  preemptions: number | null;
  pass: boolean;
  /** the counterexample's replay token, when one was found */
  token: string | null;
  /** how to reproduce this row: the replay command, or the run command that found nothing */
  reproduce: string;
}

function row(r: CheckResult, p: Protocol, v: Variant, cmd: string): AuditRow {
  const caughtBy = r.ok ? null : r.failure.invariant;
  const expected = v.buggy ? [v.expect ?? '(unspecified)', ...(v.alsoCaughtBy ?? [])].join(' or ') : 'holds';
  return {
    protocol: r.protocol, variant: r.variant, buggy: r.buggy, expected, caughtBy, runs: r.stats.runs,
    runsToFailure: r.stats.firstFailureRun ?? null,
    msToFailure: r.stats.timeToFailureMs === undefined ? null : Math.round(r.stats.timeToFailureMs),
    steps: r.ok ? null : r.steps, preemptions: r.ok ? null : r.preemptions,
    pass: asExpected(v, caughtBy),
    token: r.ok ? null : r.token,
    reproduce: r.ok ? `npx kcheck run ${p.name} --variant ${v.name} --seed ${r.stats.seed} --runs ${r.stats.runs}${cmd}` : `npx kcheck replay ${r.token}`,
  };
}

/** Every variant of the protocols, with one seed for all. */
export function auditRows(ws: Workspace, ps: Protocol[], flags: AuditFlags & { seed: number }, onRow?: (label: string) => void): AuditRow[] {
  const files = [...(flags.protocol ?? []).map((f) => ` --protocol ${f}`), ...(flags.invariants ?? []).map((f) => ` --invariants ${f}`)].join('');
  const rows: AuditRow[] = [];
  for (const p of ps) {
    for (const v of p.variants) {
      onRow?.(`${p.name}/${v.name}`);
      // a buggy variant gets up to 60 s to show its bug; fast-check stops at the first failure
      const budget = v.buggy ? { runs: flags.runs ?? 1_000_000, timeLimit: 60 } : { runs: flags.runs ?? 2000 };
      const r = check({
        protocol: p, variant: v.name, ...budget, seed: flags.seed, cpus: flags.cpus,
        invariants: ws.invariants(p.name), sources: ws.sources(p.name),
      });
      rows.push(row(r, p, v, files));
    }
  }
  return rows;
}

/** An audit row as a test case: it fails when the verdict is not the expected one. */
function auditCase(r: AuditRow): JUnitCase {
  const verdict = r.caughtBy ? `caught by ${r.caughtBy} after ${r.runsToFailure} run(s)` : `no violation in ${r.runs} runs`;
  const base = { suite: r.protocol, name: `${r.variant} (${r.buggy ? 'buggy' : 'correct'})`, timeMs: r.msToFailure ?? 0, out: `${verdict}; expected: ${r.expected}; reproduce: ${r.reproduce}` };
  return r.pass ? base : { ...base, failure: { message: `${verdict}, expected ${r.expected}`, type: 'audit', text: `reproduce: ${r.reproduce}` } };
}

export async function auditCommand(names: string[], flags: AuditFlags): Promise<number> {
  const ws = await loadWorkspace(flags);
  const ps = (names.length ? names : ws.user.length ? ws.user : ws.registry.names).map((n) => ws.registry.find(n));
  const seed = resolveOptions({ protocol: '', seed: flags.seed }).seed;
  const reporter = reporterOf(flags);
  const total = ps.reduce((n, p) => n + p.variants.length, 0);
  let done = 0;
  const bar = progress('audit', reporter === 'text', 'variants');
  const rows = auditRows(ws, ps, { ...flags, seed }, () => bar.update(done++, total));
  bar.stop();
  const ok = rows.every((r) => r.pass);
  const code = ok ? EXIT.holds : EXIT.counterexample;
  if (reporter === 'json') {
    json({ ok, seed, rows });
    return code;
  }
  if (reporter === 'junit') {
    process.stdout.write(junitXml(rows.map(auditCase), `kcheck audit (seed ${seed})`));
    return code;
  }
  const c = stdoutColors();
  out(c.dim(`seed ${seed}; buggy variants: up to ${flags.runs ?? '1000000 runs within 60 s'}${flags.runs ? ' runs' : ''}, correct ones: ${flags.runs ?? 2000} runs`));
  const cells = rows.map((r) => [
    `${r.protocol}/${r.variant}`, r.buggy ? 'buggy' : 'correct', r.expected, r.caughtBy ?? (r.buggy ? 'NOT CAUGHT' : 'holds'),
    r.runsToFailure === null ? String(r.runs) : String(r.runsToFailure), r.msToFailure === null ? '-' : `${r.msToFailure} ms`,
    r.steps === null ? '-' : `${r.steps} steps, ${r.preemptions} pre`, r.pass ? 'ok' : 'FAIL',
  ]);
  const t = table(['variant', 'kind', 'expected', 'caught by', 'runs', 'time to 1st', 'shrunk cx', ''], cells);
  for (const l of t.head) out(c.bold(l));
  t.rows.forEach((lines, i) => { for (const l of lines) out(rows[i]!.pass ? l : c.red(l)); });
  const bad = rows.filter((r) => !r.pass);
  for (const r of bad) out(c.red(`${r.protocol}/${r.variant}: ${r.caughtBy ? `caught by ${r.caughtBy}, expected ${r.expected}` : r.buggy ? 'not caught' : 'failed'}; reproduce: ${r.reproduce}`));
  out(bad.length ? c.red(`${bad.length} of ${rows.length} variants failed the audit (seed ${seed})`)
    : c.green(`all ${rows.length} variants pass: every known bug caught by its invariant, every correct variant holds (seed ${seed})`));
  return code;
}
