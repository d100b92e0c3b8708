/**
 * Protocols as an extension point (issue 11), through the CLI as a user runs it: the worked
 * example (examples/refcount.ts) and a second user protocol (test/fixtures/protocols/handoff.ts,
 * written with kcheck/sim's defineProgram) in run, replay, list, audit, compare, worker threads
 * and a kcheck.config.ts. Tokens name the protocol file and its hash; a replay needs nothing else.
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeToken } from '../../src/check/token.js';
import { ROOT, kcheck, tokenIn } from '../helpers/cli.js';

const REFCOUNT = 'examples/refcount.ts';
const HANDOFF = 'test/fixtures/protocols/handoff.ts';

describe('the worked example, examples/refcount.ts', () => {
  test('the correct variant holds (exit 0), and only the user protocol is checked', () => {
    const r = kcheck('run', '--protocol', REFCOUNT, '--runs', '300', '--seed', '1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ refcount/dec-and-test: no violation in 300 runs');
    expect(r.stdout).not.toContain('kmap');
  });

  describe('the racy variant', () => {
    const r = kcheck('run', '--protocol', REFCOUNT, '--variant', 'dec-then-read', '--seed', '1');
    const token = tokenIn(r.stdout);

    test('fails with the statechart refusing the second release (exit 1)', () => {
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('✗ refcount/released-once violated (spec-refused');
    });

    test('its token names the protocol file and its content hash', () => {
      expect(decodeToken(token).files).toEqual([{ role: 'protocol', path: REFCOUNT, sha256: expect.stringMatching(/^[0-9a-f]{16}$/) }]);
    });

    test('the printed replay command alone replays it to the identical report', () => {
      const again = kcheck('replay', token);
      expect(again.code).toBe(1);
      expect(r.stdout).toContain(again.stdout);
    });

    test('worker threads load the protocol file and find the same counterexample as blocks in this thread', () => {
      const inline = kcheck('run', '--protocol', REFCOUNT, '--variant', 'dec-then-read', '--seed', '4', '--runs', '200', '--shard', '1/1');
      const workers = kcheck('run', '--protocol', REFCOUNT, '--variant', 'dec-then-read', '--seed', '4', '--runs', '200', '--workers', '2');
      expect(workers.code).toBe(1);
      expect(tokenIn(workers.stdout)).toBe(tokenIn(inline.stdout));
    });
  });

  test('list shows it with the file it came from', () => {
    const r = kcheck('list', '--protocol', REFCOUNT);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`refcount: an object released when its last reference is dropped (kref) (from ${REFCOUNT})`);
    expect(r.stdout).toContain('dec-then-read');
  });

  test('audit: both verdicts as expected (exit 0)', () => {
    const r = kcheck('audit', '--protocol', REFCOUNT, '--seed', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('all 2 variants pass');
  });

  test('compare: one row per variant', () => {
    const r = kcheck('compare', 'refcount', '--protocol', REFCOUNT, '--json');
    expect(r.code).toBe(0);
    const rows = (JSON.parse(r.stdout) as { rows: { variant: string; verdict: string }[] }).rows;
    expect(rows.map((x) => [x.variant, x.verdict])).toEqual([['dec-and-test', 'holds'], ['dec-then-read', 'refcount/released-once']]);
  });
});

describe('a fixed program written with defineProgram (no statechart, no workload generator)', () => {
  test('dfs proves the correct variant within its bound', () => {
    const r = kcheck('run', '--protocol', HANDOFF, '--strategy', 'dfs');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ handoff/complete-after-write: proved within the bounds below');
  });

  test('the buggy variant is caught by its invariant and replays', () => {
    const r = kcheck('run', '--protocol', HANDOFF, '--variant', 'complete-before-write', '--seed', '1');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ handoff/reader-sees-data violated');
    expect(kcheck('replay', tokenIn(r.stdout)).code).toBe(1);
  });
});

describe('kcheck.config.ts', () => {
  const cwd = join(ROOT, 'test/fixtures/config');

  test('lists protocol and invariant files: run checks the protocol with the extra invariant', () => {
    const r = kcheck('list', { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('handoff/buf-is-0-or-42');
    const run = kcheck('run', '--runs', '100', '--seed', '1', { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('✓ handoff/complete-after-write');
  });

  test('tokens name the files relative to where the check ran', () => {
    const r = kcheck('run', '--variant', 'complete-before-write', '--seed', '1', { cwd });
    expect(r.code).toBe(1);
    const files = decodeToken(tokenIn(r.stdout)).files!;
    expect(files.map((f) => [f.role, f.path])).toEqual([['protocol', '../protocols/handoff.ts'], ['invariants', 'handoff-invariants.ts']]);
    expect(kcheck('replay', tokenIn(r.stdout), { cwd }).code).toBe(1);
  });
});

describe('bad protocol input: exit 2, one line', () => {
  test.each([
    ['a file that is not a protocol', ['run', '--protocol', 'test/fixtures/protocols/not-a-protocol.ts'], /protocol file test\/fixtures\/protocols\/not-a-protocol\.ts: export at machine is not a protocol/],
    ['the same file named twice (loaded once)', ['run', '--protocol', REFCOUNT, '--protocol', REFCOUNT.replace('examples/', './examples/')], null],
    ['a missing protocol file', ['run', '--protocol', 'nope.ts'], /protocol file nope\.ts: not found/],
  ] as const)('%s', (_, args, why) => {
    const r = kcheck(...args);
    if (why === null) {
      // the same file named twice is loaded once
      expect(r.code).toBe(0);
      return;
    }
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^kcheck: error: [^\n]+\n$/);
    expect(r.stderr).toMatch(why);
  });
});
