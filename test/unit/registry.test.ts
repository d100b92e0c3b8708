/** The protocol registry: immutable, looked up by name, with suggestions for near misses. */
import { describe, expect, test } from 'vitest';
import { check, replay } from '../../src/check/check.js';
import { builtins } from '../../src/protocols.js';
import { Registry, suggest } from '../../src/registry.js';
import { toyProtocol, variant } from '../helpers/toy.js';

const mine = toyProtocol<{ n: number }>({
  name: 'mine',
  k: () => ({ n: 0 }),
  variants: [variant('ok'), variant('bad', true, {}, 'mine/never')],
  invariants: [{ name: 'mine/never', description: 'fails for the buggy variant', check: (w) => (w.k.n === 1 ? 'n is 1' : null) }],
  tasks: (_, v) => [{ name: 'A', cpu: 0, *run(x) { yield { fn: 'set', what: 'n = 1' }; if (v.buggy) x.w.k.n = 1; } }],
});

describe('Registry', () => {
  test('with() returns a new registry; the built-ins stay as they were', () => {
    const before = builtins.names;
    const r = builtins.with(mine);
    expect(r.names).toEqual([...before, 'mine']);
    expect(builtins.names).toEqual(before);
    expect(builtins.has('mine')).toBe(false);
  });

  test('two protocols of one name are refused', () => {
    expect(() => new Registry([mine, mine])).toThrow("two protocols are named 'mine'");
  });

  test('a miss names what exists and the closest name', () => {
    expect(() => builtins.find('kmpa')).toThrow(/unknown protocol 'kmpa' \(known: kmap, .*\); did you mean 'kmap'\?/);
    expect(suggest('zzzzzz', ['kmap'])).toBe('');
  });

  test('check() takes a protocol object, or its name with the registry; replay() likewise', () => {
    expect(check({ protocol: mine, variant: 'ok', runs: 5, seed: 1 }).ok).toBe(true);
    const r = check({ protocol: 'mine', registry: builtins.with(mine), variant: 'bad', runs: 5, seed: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(() => replay(r.token)).toThrow(/unknown protocol 'mine'/);
    expect(replay(r.token, { protocol: mine })).toMatchObject({ verdict: 'counterexample', failure: r.failure });
    expect(replay(r.token, { registry: builtins.with(mine) })).toMatchObject({ verdict: 'counterexample', failure: r.failure });
  });
});
