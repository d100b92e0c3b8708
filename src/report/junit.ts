/**
 * JUnit XML (the Ant/Jenkins format GitHub Actions and GitLab render): one test suite per
 * protocol, one test case per variant. A counterexample (or a failed audit row) is a <failure>
 * carrying the rendered report and its replay command; an inconclusive result (an exhaustive
 * search stopped early) is an <error>: never a pass.
 */
import type { CheckResult } from '../check/check.js';
import { colors, renderCheck } from './text.js';

export interface JUnitCase {
  suite: string;
  name: string;
  timeMs: number;
  /** absent: passed */
  failure?: { message: string; type: string; text: string };
  error?: { message: string; text: string };
  /** printed under the case (the verdict, seed and bounds) */
  out?: string;
}

/** Characters XML 1.0 forbids even escaped (the C0 controls but tab, newline, return). */
// eslint-disable-next-line no-control-regex
const INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export const xmlEscape = (s: string) => s.replace(INVALID, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function junitXml(cases: JUnitCase[], name = 'kcheck'): string {
  const suites = [...new Set(cases.map((c) => c.suite))];
  const count = (cs: JUnitCase[]) => ({ tests: cs.length, failures: cs.filter((c) => c.failure).length, errors: cs.filter((c) => c.error).length, time: cs.reduce((t, c) => t + c.timeMs, 0) });
  const all = count(cases);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(name)}" tests="${all.tests}" failures="${all.failures}" errors="${all.errors}" time="${seconds(all.time)}">`];
  for (const s of suites) {
    const cs = cases.filter((c) => c.suite === s);
    const n = count(cs);
    lines.push(`  <testsuite name="${xmlEscape(s)}" tests="${n.tests}" failures="${n.failures}" errors="${n.errors}" skipped="0" time="${seconds(n.time)}">`);
    for (const c of cs) {
      lines.push(`    <testcase classname="${xmlEscape(`kcheck.${s}`)}" name="${xmlEscape(c.name)}" time="${seconds(c.timeMs)}">`);
      if (c.failure) lines.push(`      <failure message="${xmlEscape(c.failure.message)}" type="${xmlEscape(c.failure.type)}">${xmlEscape(c.failure.text)}</failure>`);
      if (c.error) lines.push(`      <error message="${xmlEscape(c.error.message)}" type="inconclusive">${xmlEscape(c.error.text)}</error>`);
      if (c.out) lines.push(`      <system-out>${xmlEscape(c.out)}</system-out>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

/** A check as a test case: a counterexample fails it, an incomplete search is an error. */
export function checkCase(r: CheckResult): JUnitCase {
  const text = renderCheck(r, colors(false)).join('\n');
  const base = { suite: r.protocol, name: `${r.variant}${r.buggy ? ' (known-buggy)' : ''}`, timeMs: r.stats.timeMs };
  if (!r.ok) return { ...base, failure: { message: `${r.failure.invariant} violated: ${r.failure.message}`, type: r.failure.kind, text } };
  if (r.incomplete) return { ...base, error: { message: `incomplete: ${r.incomplete}`, text } };
  return { ...base, out: text };
}
