// Every README snippet lives in examples/; this runs the API example as a user would import it.
import { describe, expect, it } from 'vitest';
import { findAndReplay } from '../examples/api.js';

describe('examples/api.ts (README "Programmatic API")', () => {
  it('finds the M-B5 counterexample and replays it to the same failure', () => {
    const { first, again } = findAndReplay();
    expect(first.failure.invariant).toBe('kmap/B-INV6-pkmap-counts');
    expect(again.ok).toBe(false);
    if (again.ok) return;
    expect(again.failure).toEqual(first.failure);
    expect(again.trace).toEqual(first.trace);
  });
});
