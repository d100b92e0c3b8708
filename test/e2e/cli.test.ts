/**
 * The CLI as a user runs it: the built binary, real argv, exit codes 0 holds / 1 counterexample /
 * 2 bad input, and for bad input exactly one `kcheck: error:` line on stderr, never a stack.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { kmapVariants } from '../../properties/kmap-variants.js';
import { decodeToken, encodeToken } from '../../src/check/token.js';
import { ROOT, kcheck, tokenIn, type CliResult } from '../helpers/cli.js';

const MY_INVARIANTS = 'examples/my-invariants.ts';

/** `run`'s output without its last line, the summary */
const withoutSummary = (stdout: string) => stdout.slice(0, stdout.lastIndexOf('summary:'));

describe('help and version', () => {
  test('--version prints the package version: exit 0', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
    const r = kcheck('--version');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  test('run --help lists its flags: exit 0', () => {
    const r = kcheck('run', '--help');
    expect(r.code).toBe(0);
    for (const flag of ['--variant', '--runs', '--seed', '--cpus', '--time-limit', '--invariants', '--json']) expect(r.stdout).toContain(flag);
  });
});

describe('list', () => {
  test('--json lists kmap with its variants and invariants', () => {
    const r = kcheck('list', '--json');
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as { protocols: { name: string; variants: Record<string, unknown>[]; invariants: Record<string, unknown>[] }[] };
    const kmap = data.protocols.find((p) => p.name === 'kmap');
    expect(kmap).toBeDefined();
    expect(kmap!.variants.map((v) => v.name)).toEqual(kmapVariants.map((v) => v.name));
    for (const v of kmap!.variants) {
      expect(v).toMatchObject({ name: expect.any(String), buggy: expect.any(Boolean), description: expect.any(String), source: expect.any(String) });
      if (v.buggy) expect(v.expect).toEqual(expect.any(String));
    }
    expect(kmap!.invariants.length).toBeGreaterThan(0);
    for (const i of kmap!.invariants) expect(i).toMatchObject({ name: expect.stringMatching(/^kmap\//), description: expect.any(String) });
  });

  test('without --json, prints every variant by name', () => {
    const r = kcheck('list');
    expect(r.code).toBe(0);
    for (const v of kmapVariants) expect(r.stdout).toContain(v.name);
    expect(r.stdout).not.toMatch(/\x1b\[/); // CI=true: no colour codes
  });
});

describe('run and replay', () => {
  test('the correct variants hold: exit 0', () => {
    const r = kcheck('run', 'kmap', '--runs', '200', '--seed', '1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const v of kmapVariants.filter((x) => !x.buggy)) expect(r.stdout).toContain(`✓ kmap/${v.name}: no violation in 200 runs`);
  });

  describe('a known bug (M-B5)', () => {
    let run: CliResult;
    let token: string;
    beforeAll(() => {
      run = kcheck('run', 'kmap', '--variant', 'M-B5', '--seed', '1');
      token = tokenIn(run.stdout);
    });

    test('exit 1 with a report naming the invariant and how to replay', () => {
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('✗ kmap/B-INV6-pkmap-counts violated');
      expect(run.stdout).toMatch(/^replay: npx kcheck replay kc3\.[A-Za-z0-9_-]+$/m);
    });

    test('replay <token> exits 1 with the identical counterexample text', () => {
      const again = kcheck('replay', token);
      expect(again.code).toBe(1);
      expect(again.stdout.length).toBeGreaterThan(0);
      // run prints its header, the counterexample that replay prints alone, then the summary line
      expect(withoutSummary(run.stdout).endsWith(again.stdout)).toBe(true);
      expect(run.stdout).toMatch(/\nsummary: 1 variant checked: 0 held, 1 counterexample in [\d.]+ s \(seed 1\)\n$/);
    });

    // the fixed kernel goes on where the buggy one stopped: the recorded schedule is only a prefix
    test('the same scenario on the fixed kernel (mainline) shows no violation but is not called fixed: exit 3', () => {
      const fixed = encodeToken({ ...decodeToken(token), variant: 'mainline' });
      const r = kcheck('replay', fixed);
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/\? kmap\/mainline: inconclusive: .*the schedule ended after \d+ choices but the program goes on/);
      expect(r.stdout).not.toMatch(/✓|holds/);
    });

    // issue 8 item 7: a replay that does not follow its schedule shows nothing, so it never exits 0
    test('a schedule that no longer fits the program is inconclusive (exit 3), never "holds"', () => {
      const s = decodeToken(token);
      const workload = s.workload as { tasks: { cpu: number }[] };
      // the failing task twice, on two CPUs: the recorded schedule has no answer for the choices
      const changed = encodeToken({ ...s, variant: 'mainline', workload: { ...workload, tasks: [workload.tasks[0]!, { ...workload.tasks[0]!, cpu: 1 }] }, choices: [] });
      const r = kcheck('replay', changed);
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/^\? kmap\/mainline: inconclusive: the program no longer follows the recorded schedule/);
      expect(r.stdout).not.toMatch(/holds|✓/);
    });

    test('replay --json is the structured result: same failure and token as run --json', () => {
      const runJson = JSON.parse(kcheck('run', 'kmap', '--variant', 'M-B5', '--seed', '1', '--json').stdout) as { ok: boolean; results: { failure: unknown; token: string }[] };
      const r = kcheck('replay', token, '--json');
      expect(r.code).toBe(1);
      const again = JSON.parse(r.stdout) as { ok: boolean; diverged: boolean; failure: { invariant: string }; token: string };
      expect(runJson.ok).toBe(false);
      expect(again).toMatchObject({ ok: false, verdict: 'counterexample', diverged: false, token });
      expect(again.failure).toEqual(runJson.results[0]!.failure);
      expect(again.failure.invariant).toBe('kmap/B-INV6-pkmap-counts');
    });
  });
});

describe('time limit', () => {
  test('--time-limit stops generating runs and says so; what ran held: exit 0', () => {
    const r = kcheck('run', 'kmap', '--variant', 'mainline', '--runs', '1000000000', '--time-limit', '0.3', '--seed', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('stopped by time limit');
  });
});

// the whole kmap audit is the main job's (npm run check); here the worked example, every row
describe('audit', () => {
  test('--json: one passing row per variant of the worked example, exit 0', async () => {
    const refcount = (await import('../../examples/refcount.js')).default;
    const r = kcheck('audit', '--protocol', 'examples/refcount.ts', '--json', '--seed', '2');
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as { ok: boolean; rows: { variant: string; buggy: boolean; caughtBy: string | null; pass: boolean }[] };
    expect(data.ok).toBe(true);
    expect(data.rows.map((x) => x.variant)).toEqual(refcount.variants.map((v) => v.name));
    for (const row of data.rows) {
      expect(row.pass).toBe(true);
      expect(row.caughtBy === null).toBe(!row.buggy);
    }
  });
});

describe('user invariants (--invariants)', () => {
  test(`${MY_INVARIANTS} holds on the correct variants`, () => {
    // its premise: callers that nest at most 3 local sections
    const r = kcheck('run', 'kmap', '--runs', '200', '--seed', '1', '--invariants', MY_INVARIANTS, '--param', 'local-depth=3');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('a file with named exports only loads every export', () => {
    const r = kcheck('run', 'kmap', '--runs', '50', '--seed', '1', '--invariants', 'test/fixtures/named-exports-invariant.ts');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('and is really evaluated: it catches the stack overflow of M-B4-bound before B-INV2 does', () => {
    const r = kcheck('run', 'kmap', '--variant', 'M-B4-bound', '--seed', '2', '--invariants', MY_INVARIANTS);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ kmap/local-depth-at-most-12 violated');
    // the token replays to the same failure only with the same invariants loaded
    const again = kcheck('replay', tokenIn(r.stdout), '--invariants', MY_INVARIANTS);
    expect(again.code).toBe(1);
    expect(withoutSummary(r.stdout).endsWith(again.stdout)).toBe(true);
  });

  // issue 8 item 7: the printed replay command alone must reproduce a failure of a user invariant
  test('the token names the invariant file: the printed replay command alone reproduces the failure', () => {
    const r = kcheck('run', 'kmap', '--variant', 'M-B4-bound', '--seed', '2', '--invariants', MY_INVARIANTS);
    expect(r.code).toBe(1);
    const token = tokenIn(r.stdout);
    expect(decodeToken(token).files).toEqual([{ role: 'invariants', path: MY_INVARIANTS, sha256: expect.stringMatching(/^[0-9a-f]{16}$/) }]);
    const again = kcheck('replay', token);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('✗ kmap/local-depth-at-most-12 violated');
  });

  test('a token naming a file that is not there is bad input naming the file', () => {
    const s = decodeToken(kcheck('run', 'kmap', '--variant', 'M-B4-bound', '--seed', '2', '--invariants', MY_INVARIANTS).stdout.match(/kcheck replay (kc3\.\S+)/)![1]!);
    const r = kcheck('replay', encodeToken({ ...s, files: [{ role: 'invariants', path: 'test/fixtures/gone.ts', sha256: '0123456789abcdef' }] }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^kcheck: error: the token needs invariants file test\/fixtures\/gone\.ts \(sha256 0123456789abcdef\), which is not found here/);
  });

  test('a file that changed since the token was made is named on stderr', () => {
    const s = decodeToken(kcheck('run', 'kmap', '--variant', 'M-B4-bound', '--seed', '2', '--invariants', MY_INVARIANTS).stdout.match(/kcheck replay (kc3\.\S+)/)![1]!);
    const r = kcheck('replay', encodeToken({ ...s, files: s.files!.map((f) => ({ ...f, sha256: '0123456789abcdef' })) }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`kcheck: note: invariants file ${MY_INVARIANTS} changed since the token was made (sha256 0123456789abcdef then`);
  });
});

describe('bad input: exit 2, one line on stderr, no stack trace, nothing on stdout', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown protocol', ['run', 'nope'], /unknown protocol 'nope'.*kmap/],
    ['unknown variant', ['run', 'kmap', '--variant', 'nope'], /unknown variant 'nope'/],
    ['malformed token', ['replay', 'kc3.AAAAAAAA'], /malformed replay token/],
    ['token without prefix', ['replay', 'hello'], /malformed replay token: it must start with 'kc3\.'/],
    ['missing invariant file', ['run', 'kmap', '--runs', '10', '--invariants', 'test/fixtures/no-such-file.ts'], /no-such-file\.ts: not found/],
    ['invariant file with a syntax error', ['run', 'kmap', '--runs', '10', '--invariants', 'test/fixtures/broken-syntax-invariant.ts'], /broken-syntax-invariant\.ts does not load/],
    ['invariant file exporting a non-invariant', ['run', 'kmap', '--runs', '10', '--invariants', 'test/fixtures/not-an-invariant.ts'], /not-an-invariant\.ts: .*not an invariant/],
    ['an invariant that throws', ['run', 'kmap', '--runs', '10', '--seed', '1', '--invariants', 'test/fixtures/throwing-invariant.ts'], /invariant kmap\/throws threw/],
    ['--runs abc', ['run', 'kmap', '--runs', 'abc'], /--runs.*'abc'/],
    ['--cpus 0', ['run', 'kmap', '--cpus', '0'], /--cpus.*'0'/],
    ['--time-limit -1', ['run', 'kmap', '--time-limit', '-1'], /--time-limit.*'-1'/],
    ['unknown flag', ['run', 'kmap', '--bogus'], /unknown option '--bogus'/],
    ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['a misspelt command, with a suggestion', ['rn', 'kmap'], /unknown command 'rn' \(Did you mean run\?\)/],
    ['a misspelt flag, with a suggestion', ['run', 'kmap', '--varient', 'M-B5'], /unknown option '--varient' \(Did you mean --variant\?\)/],
    ['a misspelt protocol, with a suggestion', ['run', 'kmpa'], /unknown protocol 'kmpa' .*did you mean 'kmap'\?/],
    ['a misspelt variant, with a suggestion', ['run', 'kmap', '--variant', 'mainlin'], /unknown variant 'mainlin' .*did you mean 'mainline'\?/],
    ['a token whose workload is not the protocol\'s', ['replay', encodeToken({ protocol: 'kmap', variant: 'mainline', cpus: 2, maxPreemptions: 3, maxSteps: 100, maxEnvSteps: 32, preempt: 'full', workload: 5, choices: [] })], /workload is not a kmap workload/],
    ['a token with more CPUs than the CLI allows', ['replay', encodeToken({ protocol: 'kmap', variant: 'mainline', cpus: 99, maxPreemptions: 3, maxSteps: 100, maxEnvSteps: 32, preempt: 'full', workload: { tasks: [], irqs: [] }, choices: [] })], /cpus must be from 1 to 64/],
  ];

  test.each(cases)('%s', (_, args, why) => {
    const r = kcheck(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^kcheck: error: [^\n]+\n$/);
    expect(r.stderr).toMatch(why);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
