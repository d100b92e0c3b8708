/** The public API surface: assert() renders at the edge, defineInvariant() guards names. */
import { describe, expect, test } from 'vitest';
import { assert, check, defineInvariant } from '../../src/index.js';
import { rendered } from '../helpers/report.js';

describe('assert()', () => {
  test('returns the result when every invariant holds', () => {
    expect(assert({ protocol: 'kmap', runs: 100, seed: 1 }).ok).toBe(true);
  });

  test('throws the rendered counterexample, without colour codes, when one fails', () => {
    const options = { protocol: 'kmap', variant: 'M-B5', runs: 1000, seed: 1 };
    const r = check(options);
    if (r.ok) throw new Error('M-B5 should fail');
    let message = '';
    try { assert(options); } catch (e) { message = (e as Error).message; }
    expect(message).toContain(rendered(r));
    expect(message).not.toMatch(/\x1b\[/);
  });
});

describe('defineInvariant()', () => {
  test('accepts <protocol>/<name>', () => {
    expect(defineInvariant({ name: 'kmap/mine', description: 'd' }).name).toBe('kmap/mine');
  });

  test.each(['mine', 'kmap/', '/mine', 'kmap/my invariant', 'a/b/c'])('rejects the name %j', (name) => {
    expect(() => defineInvariant({ name, description: 'd' })).toThrow(/<protocol>\/<name>/);
  });
});
