/**
 * page-protection through the built CLI as a user runs it: compare prints the safety/cost table
 * (exit 0 when every variant behaves as its author expected), run names the leaked grant and the
 * weakening behind a finding, list states what the checker found for the [inference] items.
 */
import { describe, expect, test } from 'vitest';
import { kcheck } from '../helpers/cli.js';

describe('kcheck compare page-protection', () => {
  test('--json: one row per variant, costs per op, every buggy variant caught as expected', () => {
    const r = kcheck('compare', 'page-protection', '--runs', '300', '--seed', '1', '--json');
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as { ok: boolean; rows: { variant: string; buggy: boolean; verdict: string; per: string; cost: Record<string, number>; info: Record<string, number> }[] };
    expect(data.ok).toBe(true);
    expect(data.rows.length).toBeGreaterThan(30);
    const row = (name: string) => data.rows.find((x) => x.variant === name)!;
    expect(row('V10').verdict).toBe('holds');
    expect(row('V10').per).toBe('op');
    expect(row('V10').cost['wrmsr']).toBeGreaterThan(0);
    expect(row('V-GLOBAL-ipi-every-cpu').cost['ipi']).toBeGreaterThan(0);
    expect(row('V-TGLX-relaxed').info['page-protection/strong-form[extended-window]']).toBeGreaterThan(0);
  }, 180_000);

  test('--workload: every variant on the same runs; a table with a header', () => {
    const text = kcheck('compare', 'page-protection', '--correct', '--workload', 'V-TGLX-relaxed', '--runs', '200');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^variant +kind +safety +runs +/m);
    const r = kcheck('compare', 'page-protection', '--correct', '--workload', 'V-TGLX-relaxed', '--runs', '200', '--json');
    const rows = (JSON.parse(r.stdout) as { rows: { variant: string; verdict: string; runs: number }[] }).rows;
    const row = (name: string) => rows.find((x) => x.variant === name)!;
    expect(row('V-TGLX-relaxed').verdict).toBe('holds');
    expect(row('V10').verdict).toMatch(/^fails \d+\/200: page-protection\/legit-never-dies$/);
    expect(new Set(rows.map((x) => x.runs))).toEqual(new Set([200]));
  });

  test('an unknown protocol is bad input', () => {
    const r = kcheck('compare', 'nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown protocol 'nope'/);
  });
});

test('kcheck run reports the nesting bug with the leaked grant and names the weakening of a finding', () => {
  const bug = kcheck('run', 'page-protection', '--variant', 'V-GLOBAL-kmap-nesting', '--seed', '1');
  expect(bug.code).toBe(1);
  expect(bug.stdout).toMatch(/task A \(cpu0\): kmap\(p0\); kmap_local_page\(p0\);.*kunmap\(p0\);.*kunmap_local\(p0\)/);
  expect(bug.stdout).toMatch(/the global grant leaked/);
  const ok = kcheck('run', 'page-protection', '--variant', 'V-GLOBAL', '--runs', '300', '--seed', '1');
  expect(ok.code).toBe(0);
  expect(ok.stdout).toMatch(/info:page-protection\/strong-form\[time-slice\]=\d+/);
});

test('kcheck list states what the checker found for the [inference] items', () => {
  const r = kcheck('list');
  expect(r.code).toBe(0);
  for (const v of ['V10-relaxed-sticky', 'V10-irq-kmap_local', 'V10-nested-exception', 'V-GLOBAL-kmap-nesting']) {
    expect(r.stdout).toMatch(new RegExp(`${v}: [^\\n]*\\[inference\\][^\\n]*Checker: confirmed`));
  }
});
