/** The kc3 token codec (and kc2 read as kc3 without files): a lossless round trip for every scenario, and loud rejection of junk. */
import { deflateRawSync } from 'node:zlib';
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { BadToken, TOKEN_PREFIX, decodeToken, encodeToken, type Scenario } from '../../../src/check/token.js';

const scenario: fc.Arbitrary<Scenario> = fc.record({
  protocol: fc.string(),
  variant: fc.string(),
  // the ranges the CLI accepts (resolveOptions); the decoder rejects anything else
  cpus: fc.integer({ min: 1, max: 64 }),
  maxPreemptions: fc.oneof(fc.nat({ max: 64 }), fc.constant(Infinity)),
  maxSteps: fc.integer({ min: 10, max: 1e9 }),
  maxEnvSteps: fc.nat({ max: 10_000 }),
  maxDelays: fc.option(fc.nat({ max: 64 }), { nil: undefined }),
  preempt: fc.constantFrom('none' as const, 'voluntary' as const, 'full' as const, 'rt' as const),
  workload: fc.jsonValue(),
  choices: fc.array(fc.nat(), { maxLength: 300 }),
  files: fc.array(fc.record({
    role: fc.constantFrom('protocol' as const, 'invariants' as const),
    path: fc.string({ minLength: 1 }),
    sha256: fc.stringMatching(/^[0-9a-f]{16}$/),
  }), { minLength: 1, maxLength: 3 }),
}, { requiredKeys: ['protocol', 'variant', 'cpus', 'maxPreemptions', 'maxSteps', 'maxEnvSteps', 'preempt', 'workload', 'choices'] });

/** a kc2 token around an arbitrary JSON payload, to reach the shape checks behind the codec */
const tokenOf = (payload: unknown) => TOKEN_PREFIX + deflateRawSync(Buffer.from(JSON.stringify(payload))).toString('base64url');
const valid: unknown[] = ['kmap', 'M-B5', 2, 3, 5000, 32, null, 'full', { tasks: [] }, [0, 1], [['invariants', 'mine.ts', '0123456789abcdef']]];
/** a kc2 token: the same payload without files */
const kc2Of = (payload: unknown[]) => 'kc2.' + deflateRawSync(Buffer.from(JSON.stringify(payload))).toString('base64url');

describe('token codec', () => {
  test('decode(encode(s)) is s, for every scenario', () => {
    fc.assert(fc.property(scenario, (s) => {
      const t = encodeToken(s);
      expect(t.startsWith(TOKEN_PREFIX)).toBe(true);
      expect(t).toMatch(/^kc3\.[A-Za-z0-9_-]+$/); // copy-pasteable: no quoting needed in a shell
      // the workload travels as JSON (-0 becomes 0), everything else exactly
      expect(decodeToken(t)).toEqual({ ...s, workload: JSON.parse(JSON.stringify(s.workload)) });
    }));
  });

  test('surrounding whitespace from a copy-paste is ignored', () => {
    const t = tokenOf(valid);
    expect(decodeToken(`  ${t}\n`)).toEqual(decodeToken(t));
  });

  test('arbitrary strings are either a scenario or a BadToken, never another error', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.base64String().map((b) => TOKEN_PREFIX + b.replace(/=+$/, ''))), (s) => {
      try {
        decodeToken(s);
      } catch (e) {
        expect(e).toBeInstanceOf(BadToken);
      }
    }));
  });

  const malformed: [string, string, RegExp][] = [
    ['empty', '', /must start with 'kc3\.'/],
    ['no prefix', 'hello', /must start with 'kc3\.'/],
    ['a future version', 'kc4.AAAA', /version kc4 is not supported \(this kcheck reads kc3 and kc2\)/],
    ['an older version', 'kc1.AAAA', /version kc1 is not supported/],
    ['non-base64url characters', 'kc3.ab+/cd', /outside base64url/],
    ['truncated payload', tokenOf(valid).slice(0, 12), /does not decompress|wrong shape/],
    ['not deflated', 'kc3.AAAAAAAA', /does not decompress/],
    ['not an array', tokenOf({ protocol: 'kmap' }), /wrong shape/],
    ['too short an array', tokenOf(valid.slice(0, 9)), /wrong shape/],
    ['an unknown preemption model', tokenOf(valid.map((v, i) => (i === 7 ? 'lazy' : v))), /preemption model/],
    ['a delay bound out of range', tokenOf(valid.map((v, i) => (i === 6 ? -2 : v))), /bounds are out of range/],
    ['a kc2 token with a files entry', kc2Of(valid), /wrong shape/],
    ['files not a list', tokenOf(valid.map((v, i) => (i === 10 ? 'x' : v))), /files must be \[role, path, sha256\]/],
    ['a file of an unknown role', tokenOf(valid.map((v, i) => (i === 10 ? [['spec', 'a.ts', '0123456789abcdef']] : v))), /files must be/],
    ['a file without a hash', tokenOf(valid.map((v, i) => (i === 10 ? [['protocol', 'a.ts', '']] : v))), /files must be/],
    ['numeric protocol', tokenOf([1, ...valid.slice(1)]), /protocol and variant/],
    ['zero cpus', tokenOf(valid.map((v, i) => (i === 2 ? 0 : v))), /cpus must be from 1 to 64/],
    ['more cpus than the CLI allows', tokenOf(valid.map((v, i) => (i === 2 ? 99 : v))), /cpus must be from 1 to 64/],
    ['negative bound', tokenOf(valid.map((v, i) => (i === 4 ? -1 : v))), /bounds are out of range/],
    ['a step budget of zero', tokenOf(valid.map((v, i) => (i === 4 ? 0 : v))), /bounds are out of range/],
    ['an environment budget out of range', tokenOf(valid.map((v, i) => (i === 5 ? -1 : v))), /bounds are out of range/],
    ['fractional choice', tokenOf(valid.map((v, i) => (i === 9 ? [0.5] : v))), /choices/],
    ['choices not a list', tokenOf(valid.map((v, i) => (i === 9 ? 'x' : v))), /choices/],
  ];

  test.each(malformed)('rejects %s with BadToken', (_, token, why) => {
    expect(() => decodeToken(token)).toThrow(BadToken);
    expect(() => decodeToken(token)).toThrow(why);
  });

  test('the well-formed payload the malformed ones derive from decodes, with its file', () => {
    expect(decodeToken(tokenOf(valid))).toMatchObject({ variant: 'M-B5', files: [{ role: 'invariants', path: 'mine.ts', sha256: '0123456789abcdef' }] });
  });

  test('a kc2 token (no files) still decodes', () => {
    const s = decodeToken(kc2Of(['kmap', 'M-B5', 2, 3, 5000, 32, 'full', { tasks: [] }, [0, 1]]));
    expect(s).toMatchObject({ protocol: 'kmap', variant: 'M-B5', choices: [0, 1] });
    expect(s.files).toBeUndefined();
  });
});
