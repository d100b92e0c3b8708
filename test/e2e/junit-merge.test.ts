/**
 * CI outputs (issue 11): --reporter junit for run, audit and merge, validated against the JUnit
 * schema by libxml2; shard JSON that says which shard it is, and kcheck merge giving the verdict
 * and counterexample of the whole check.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { junitCases, junitErrors } from '../helpers/junit.js';
import { kcheck, tokenIn } from '../helpers/cli.js';

describe('--reporter junit', () => {
  test('run: one test case per variant, a counterexample is a failure carrying the replay command; valid JUnit', async () => {
    const r = kcheck('run', 'kmap', '--variant', 'M-B5', '--seed', '1', '--reporter', 'junit');
    expect(r.code).toBe(1);
    expect(await junitErrors(r.stdout)).toEqual([]);
    expect(junitCases(r.stdout)).toEqual([{ suite: 'kmap', name: 'M-B5 (known-buggy)', outcome: 'failure' }]);
    expect(r.stdout).toContain('<failure message="kmap/B-INV6-pkmap-counts violated: ');
    expect(r.stdout).toMatch(/replay: npx kcheck replay kc3\.[A-Za-z0-9_-]+<\/failure>/);
  });

  test('run: passing variants pass, an incomplete exhaustive search is an error, never a pass', async () => {
    const ok = kcheck('run', 'kmap', '--runs', '20', '--seed', '1', '--reporter', 'junit');
    expect(ok.code).toBe(0);
    expect(await junitErrors(ok.stdout)).toEqual([]);
    expect(junitCases(ok.stdout).every((c) => c.outcome === null)).toBe(true);
    const stopped = kcheck('run', 'kmap', '--variant', 'mainline', '--strategy', 'bfs', '--max-states', '5', '--reporter', 'junit');
    expect(stopped.code).toBe(3);
    expect(await junitErrors(stopped.stdout)).toEqual([]);
    expect(junitCases(stopped.stdout)).toEqual([{ suite: 'kmap', name: 'mainline', outcome: 'error' }]);
  });

  test('audit: one test case per variant, a failed row is a failure', async () => {
    const r = kcheck('audit', 'lost-update', '--protocol', 'test/fixtures/protocols/lost-update.ts', '--runs', '100', '--seed', '1', '--reporter', 'junit');
    expect(r.code).toBe(1);
    expect(await junitErrors(r.stdout)).toEqual([]);
    expect(junitCases(r.stdout).map((c) => [c.name, c.outcome])).toEqual([
      ['atomic (correct)', null], ['racy (buggy)', null], ['racy-also (buggy)', null], ['racy-mislabelled (correct)', 'failure'],
    ]);
  });

  test('the schema rejects what is not JUnit (the validation can fail)', async () => {
    expect(await junitErrors('<testsuites tests="1"><testcase name="x"/></testsuites>')).not.toEqual([]);
  });
});

describe('shards and kcheck merge', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kcheck-shards-'));
  const shard = (i: number, ...args: string[]) => {
    const r = kcheck('run', 'kmap', '--runs', '400', '--seed', '3', '--shard', `${i}/3`, '--json', ...args);
    const file = join(dir, `s${i}-${args.join('')}.json`);
    writeFileSync(file, r.stdout);
    return { r, file };
  };

  test('each shard says which shard it is; merged, their runs are the whole check', () => {
    const files = [1, 2, 3].map((i) => shard(i, '--variant', 'mainline'));
    files.forEach(({ r }, i) => expect(JSON.parse(r.stdout).shard).toEqual({ index: i + 1, count: 3 }));
    const m = kcheck('merge', ...files.map((f) => f.file), '--json');
    expect(m.code).toBe(0);
    const data = JSON.parse(m.stdout) as { ok: boolean; shards: number; results: { stats: { runs: number; blocks: { ran: number[] } } }[] };
    expect(data).toMatchObject({ ok: true, shards: 3 });
    expect(data.results[0]!.stats.runs).toBe(400);
    expect(data.results[0]!.stats.blocks.ran).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  test('a failing check: the merged counterexample is the one a single machine finds first', () => {
    const files = [1, 2, 3].map((i) => shard(i, '--variant', 'M-B5'));
    const m = kcheck('merge', ...files.map((f) => f.file));
    expect(m.code).toBe(1);
    const whole = kcheck('run', 'kmap', '--variant', 'M-B5', '--runs', '400', '--seed', '3', '--workers', '2');
    expect(tokenIn(m.stdout)).toBe(tokenIn(whole.stdout));
  });

  test('a missing or repeated shard is bad input', () => {
    const files = [1, 2].map((i) => shard(i, '--variant', 'mainline'));
    expect(kcheck('merge', ...files.map((f) => f.file)).stderr).toMatch(/^kcheck: error: shard 3\/3 missing\n$/);
    expect(kcheck('merge', files[0]!.file, files[0]!.file, files[1]!.file).stderr).toMatch(/are both shard 1\/3/);
  });
});
