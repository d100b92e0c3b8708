// Every README snippet lives in examples/; this runs the API example as a user would import it,
// and as its header says to run it.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findAndReplay } from '../examples/api.js';
import { ROOT } from './helpers/cli.js';

describe('examples/api.ts (README "Programmatic API")', () => {
  it('finds the M-B5 counterexample and replays it to the same failure', () => {
    const { first, again } = findAndReplay();
    expect(first.failure.invariant).toBe('kmap/B-INV6-pkmap-counts');
    expect(again.ok).toBe(false);
    if (again.verdict !== 'counterexample') return;
    expect(again.failure).toEqual(first.failure);
    expect(again.trace).toEqual(first.trace);
  });

  it('runs exactly as its header says: npx jiti examples/api.ts', () => {
    const r = spawnSync('npx', ['jiti', 'examples/api.ts'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^kmap\/M-B5: kmap\/B-INV6-pkmap-counts \(invariant\) after \d+ steps\nreplay: counterexample, the same failure: true\nnpx kcheck replay kc3\./);
  });
});
