/**
 * The exploration flags as a user runs them (the built binary): bad values exit 2 with one
 * line, workers do not change results, shards partition the runs.
 */
import { describe, expect, test } from 'vitest';
import { kcheck } from '../helpers/cli.js';

describe('bad values for the exploration flags: exit 2, one line, nothing on stdout', () => {
  const cases: [string, string[]][] = [
    ['unknown strategy', ['--strategy', 'smart']],
    ['depth 0', ['--strategy', 'pct', '--depth', '0']],
    ['negative preemption bound', ['--preemption-bound', '-1']],
    ['zero max states', ['--max-states', '0']],
    ['zero workers', ['--workers', '0']],
    ['shard past its count', ['--shard', '3/2']],
    ['shard zero', ['--shard', '0/2']],
    ['shard not i/n', ['--shard', 'half']],
  ];
  test.each(cases)('%s', (_, args) => {
    const r = kcheck('run', 'kmap', ...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^kcheck: error: [^\n]+\n$/);
  });
});

type Json = { ok: boolean; results: { ok: boolean; token?: string; stats: { runs: number; steps: number; firstFailureRun?: number } }[] };
const runJson = (...args: string[]) => {
  const r = kcheck('run', 'kmap', '--json', '--seed', '11', ...args);
  return { code: r.code, json: JSON.parse(r.stdout) as Json };
};

describe('workers and shards', () => {
  test('the same seed gives the same result with 1 and 2 workers (holding and failing)', () => {
    for (const variant of ['mainline', 'M-B5']) {
      const one = runJson('--variant', variant, '--runs', '400', '--workers', '1');
      const two = runJson('--variant', variant, '--runs', '400', '--workers', '2');
      expect(two.code).toBe(one.code);
      const [a, b] = [one.json.results[0]!, two.json.results[0]!];
      expect(b.ok).toBe(a.ok);
      expect(b.token).toBe(a.token);
      expect(b.stats.runs).toBe(a.stats.runs);
      expect(b.stats.steps).toBe(a.stats.steps);
      expect(b.stats.firstFailureRun).toBe(a.stats.firstFailureRun);
    }
  });

  test('shards 1/2 and 2/2 together run exactly the runs of the whole check', () => {
    const whole = runJson('--variant', 'mainline', '--runs', '300', '--shard', '1/1');
    const parts = ['1/2', '2/2'].map((s) => runJson('--variant', 'mainline', '--runs', '300', '--shard', s).json.results[0]!.stats);
    expect(parts[0]!.runs + parts[1]!.runs).toBe(300);
    expect(parts[0]!.steps + parts[1]!.steps).toBe(whole.json.results[0]!.stats.steps);
  });

  test('--strategy dfs prints what it proved, and the workload it explored', () => {
    const r = kcheck('run', 'kmap', '--variant', 'mainline', '--strategy', 'dfs', '--ops', '1', '--seed', '1', '--preemption-bound', '1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ kmap\/mainline: proved within the bounds below/);
    expect(r.stdout).toMatch(/DFS: every interleaving of the workload below with ≤ 1 preemption\(s\) explored, no violation \(\d+ states, \d+ transitions/);
    expect(r.stdout).toMatch(/workload explored:\n( {4}.*\n)* {4}task A \(cpu\d\): /);
  });

  test('a search stopped by --max-states is incomplete: no ✓, no "holds", exit code 3, what was covered', () => {
    for (const strategy of ['dfs', 'bfs']) {
      const r = kcheck('run', 'kmap', '--variant', 'M-B5', '--strategy', strategy, '--ops', '2', '--seed', '4', '--no-swarm', '--max-states', '50');
      expect(r.code, strategy).toBe(3);
      expect(r.stdout).not.toMatch(/✓|holds/);
      expect(r.stdout).toMatch(/\? kmap\/M-B5 \(known-buggy variant\): incomplete, stopped by --max-states after \d+ states: no violation found, nothing proved/);
      expect(r.stdout).toMatch(/INCOMPLETE: stopped by --max-states; 0 of 1 workload\(s\) explored completely/);
      expect(r.stdout).toContain('workload explored:');
    }
    const json = JSON.parse(kcheck('run', 'kmap', '--variant', 'M-B5', '--strategy', 'dfs', '--ops', '2', '--seed', '4', '--no-swarm', '--max-states', '50', '--json').stdout);
    expect(json.ok).toBe(false);
    expect(json.results[0].incomplete).toMatch(/--max-states/);
  });
});
