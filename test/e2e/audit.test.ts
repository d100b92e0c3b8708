/**
 * kcheck audit and compare as a user runs them (issue 8 items 8 and 9): audit prints the seed it
 * used, every failing row says how to reproduce it (a token that replays), and audit and compare
 * judge a variant by the same rule (asExpected), alsoCaughtBy included.
 */
import { describe, expect, test } from 'vitest';
import { kcheck } from '../helpers/cli.js';

const FIXTURE = 'test/fixtures/protocols/lost-update.ts';

interface AuditJson { ok: boolean; seed: number; rows: { variant: string; pass: boolean; caughtBy: string | null; token: string | null; reproduce: string }[] }

describe('audit without --seed', () => {
  const r = kcheck('audit', 'lost-update', '--protocol', FIXTURE, '--runs', '200');
  const j = kcheck('audit', 'lost-update', '--protocol', FIXTURE, '--runs', '200', '--json');
  const data = JSON.parse(j.stdout) as AuditJson;

  test('prints the seed it drew, in the text and the JSON', () => {
    expect(r.stdout).toMatch(/^seed -?\d+; /);
    expect(r.stdout).toMatch(/1 of 4 variants failed the audit \(seed -?\d+\)/);
    expect(data.seed).toEqual(expect.any(Number));
  });

  test('the mislabelled variant fails (exit 1) and its row carries a token that replays to the same failure', () => {
    expect(r.code).toBe(1);
    const bad = data.rows.find((x) => x.variant === 'racy-mislabelled')!;
    expect(bad).toMatchObject({ pass: false, caughtBy: 'lost-update/count', token: expect.stringMatching(/^kc3\./) });
    expect(bad.reproduce).toBe(`npx kcheck replay ${bad.token}`);
    expect(r.stdout).toContain(`lost-update/racy-mislabelled: caught by lost-update/count, expected holds; reproduce: npx kcheck replay kc3.`);
    // the token names the protocol file, so the printed command alone replays it
    const again = kcheck('replay', bad.token!);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('✗ lost-update/count violated');
  });

  test('the same seed gives the same rows', () => {
    const again = JSON.parse(kcheck('audit', 'lost-update', '--protocol', FIXTURE, '--runs', '200', '--json', '--seed', String(data.seed)).stdout) as AuditJson;
    expect(again.rows.map((x) => [x.variant, x.caughtBy, x.token])).toEqual(data.rows.map((x) => [x.variant, x.caughtBy, x.token]));
  });
});

describe('audit and compare agree (one rule: asExpected)', () => {
  test('a variant caught by an invariant it lists in alsoCaughtBy is ok in both', () => {
    const audit = JSON.parse(kcheck('audit', 'lost-update', '--protocol', FIXTURE, '--runs', '200', '--json', '--seed', '1').stdout) as AuditJson;
    const compare = JSON.parse(kcheck('compare', 'lost-update', '--protocol', FIXTURE, '--runs', '200', '--json').stdout) as { rows: { variant: string; verdict: string; asExpected: boolean }[] };
    const a = audit.rows.find((x) => x.variant === 'racy-also')!;
    const c = compare.rows.find((x) => x.variant === 'racy-also')!;
    expect(a).toMatchObject({ caughtBy: 'lost-update/count', pass: true });
    expect(c).toMatchObject({ verdict: 'lost-update/count', asExpected: true });
    // and on every row
    for (const row of compare.rows) expect(row.asExpected).toBe(audit.rows.find((x) => x.variant === row.variant)!.pass);
  });
});
