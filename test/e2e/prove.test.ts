/** kcheck prove as a user runs it: exit 0 proved, 1 counterexample (a token that replays), 3 incomplete, 2 bad flags. */
import { describe, expect, test } from 'vitest';
import { kcheck, tokenIn } from '../helpers/cli.js';

describe('kcheck prove', () => {
  test('a known bug within the bounds: exit 1, the counterexample, a token that replays it', () => {
    const r = kcheck('prove', 'kmap', '--variant', 'M-B5', '--ops', '2', '--preemption-bound', '1');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ kmap\/M-B5 \(known-buggy variant\): counterexample at preemption bound \d/);
    expect(r.stdout).toMatch(/kmap\/B-INV\d[\w-]* violated/);
    const again = kcheck('replay', tokenIn(r.stdout));
    expect(again.code).toBe(1);
  });

  test('every workload of one operation, every interleaving: exit 0 and what was covered, in numbers', () => {
    const r = kcheck('prove', 'kmap', '--variant', 'mainline', '--ops', '1', '--preemption-bound', '1', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { ok: boolean; results: { ok: boolean; incomplete?: string; stats: { workloads: number; completeWorkloads: number; states: number } }[] };
    expect(j.ok).toBe(true);
    const s = j.results[0]!.stats;
    expect(s.workloads).toBeGreaterThan(0);
    expect(s.completeWorkloads).toBe(s.workloads);
    expect(s.states).toBeGreaterThan(0);
  });

  test('a proof stopped by the time limit is incomplete: exit 3, no ✓, how far it got', () => {
    const r = kcheck('prove', 'kmap', '--variant', 'mainline', '--ops', '2', '--time-limit', '1');
    expect(r.code).toBe(3);
    expect(r.stdout).not.toMatch(/✓|proved:/);
    expect(r.stdout).toMatch(/\? kmap\/mainline: incomplete, stopped by the time limit .* with \d+ of 660 workloads done/);
  });

  test('a workload stopped by --max-states makes the proof incomplete: exit 3', () => {
    const r = kcheck('prove', 'kmap', '--variant', 'mainline', '--ops', '1', '--max-states', '2');
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/stopped by --max-states \(2 states per workload\)/);
  });

  test('DPOR takes no preemption bound: one line, exit 2', () => {
    const r = kcheck('prove', 'kmap', '--reduction', 'dpor', '--preemption-bound', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^kcheck: error: DPOR explores every interleaving: it takes no preemption or delay bound\n$/);
  });
});
