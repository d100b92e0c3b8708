/**
 * The suite's self-check: every known-bug variant must be caught by its expected invariant and
 * every correct variant must hold. A table shows what caught what, how fast, and how short.
 */
import { check, type CheckResult } from '../check/check.js';
import { asExpected, type Variant } from '../protocol.js';
import { findProtocol, protocols } from '../protocols.js';
import { EXIT, json, out, progress, stdoutColors } from './shared.js';

export interface AuditFlags { json?: boolean; runs?: number; seed?: number; cpus?: number }

export interface AuditRow {
  protocol: string;
  variant: string;
  buggy: boolean;
  expected: string;
  caughtBy: string | null;
  runsToFailure: number | null;
  msToFailure: number | null;
  steps: number | null;
  preemptions: number | null;
  pass: boolean;
}

function row(r: CheckResult, v: Variant): AuditRow {
  const caughtBy = r.ok ? null : r.failure.invariant;
  const expected = v.buggy ? [v.expect ?? '(unspecified)', ...(v.alsoCaughtBy ?? [])].join(' or ') : 'holds';
  return {
    protocol: r.protocol, variant: r.variant, buggy: r.buggy, expected, caughtBy,
    runsToFailure: r.stats.firstFailureRun ?? null,
    msToFailure: r.stats.timeToFailureMs === undefined ? null : Math.round(r.stats.timeToFailureMs),
    steps: r.ok ? null : r.steps, preemptions: r.ok ? null : r.preemptions,
    pass: asExpected(v, caughtBy),
  };
}

export function auditCommand(names: string[], flags: AuditFlags): number {
  const ps = (names.length ? names : protocols.map((p) => p.name)).map(findProtocol);
  const rows: AuditRow[] = [];
  for (const p of ps) {
    for (const v of p.variants) {
      const bar = progress(`audit ${p.name}/${v.name}`, !flags.json);
      // a buggy variant gets up to 60 s to show its bug; fast-check stops at the first failure
      const budget = v.buggy ? { runs: flags.runs ?? 1_000_000, timeLimit: 60 } : { runs: flags.runs ?? 2000 };
      const r = check({ protocol: p.name, variant: v.name, ...budget, seed: flags.seed, cpus: flags.cpus, onProgress: bar.update });
      bar.stop();
      rows.push(row(r, v));
    }
  }
  const ok = rows.every((r) => r.pass);
  if (flags.json) {
    json({ ok, rows });
    return ok ? EXIT.holds : EXIT.counterexample;
  }
  const c = stdoutColors();
  const cells = rows.map((r) => [
    `${r.protocol}/${r.variant}`, r.buggy ? 'buggy' : 'correct', r.expected, r.caughtBy ?? (r.buggy ? 'NOT CAUGHT' : 'holds'),
    r.runsToFailure === null ? '-' : String(r.runsToFailure), r.msToFailure === null ? '-' : `${r.msToFailure} ms`,
    r.steps === null ? '-' : `${r.steps} steps, ${r.preemptions} pre`, r.pass ? 'ok' : 'FAIL',
  ]);
  const head = ['variant', 'kind', 'expected', 'caught by', 'runs', 'time to 1st', 'shrunk cx', ''];
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(width[i]!)).join('  ').trimEnd();
  out(c.bold(line(head)));
  for (const r of cells) out(r[7] === 'ok' ? line(r) : c.red(line(r)));
  const bad = rows.filter((r) => !r.pass).length;
  out(bad ? c.red(`${bad} of ${rows.length} variants failed the audit`) : c.green(`all ${rows.length} variants pass: every known bug caught by its invariant, every correct variant holds`));
  return ok ? EXIT.holds : EXIT.counterexample;
}
