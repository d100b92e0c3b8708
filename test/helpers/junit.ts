/** Validates JUnit XML against test/fixtures/junit.xsd with libxml2 (xmllint compiled to wasm). */
import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import { ROOT } from './cli.js';

export async function junitErrors(xml: string): Promise<string[]> {
  const r = await validateXML({ xml: { fileName: 'report.xml', contents: xml }, schema: { fileName: 'junit.xsd', contents: readFileSync(`${ROOT}test/fixtures/junit.xsd`, 'utf8') } });
  return r.errors.map((e) => e.rawMessage);
}

/** The test cases of a report: suite, name, and the outcome element if any. */
export function junitCases(xml: string): { suite: string; name: string; outcome: string | null }[] {
  const cases: { suite: string; name: string; outcome: string | null }[] = [];
  let suite = '';
  for (const m of xml.matchAll(/<testsuite name="([^"]*)"|<testcase classname="[^"]*" name="([^"]*)"[^>]*>|<(failure|error|skipped) /g)) {
    if (m[1] !== undefined) suite = m[1];
    else if (m[2] !== undefined) cases.push({ suite, name: m[2], outcome: null });
    else cases[cases.length - 1]!.outcome = m[3]!;
  }
  return cases;
}
