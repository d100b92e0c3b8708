/**
 * memremap.pks_fault_mode= parsing as the kernel does it (sysfs_streq, -EINVAL keeps the mode),
 * and V7's inverted test (A.4 #8), which the audit catches through A-INV9.
 */
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { param_set_pks_fault_mode, sysfs_streq } from '../../src/kernel/mm/memremap-param.js';
import { intendedMode } from '../../properties/page-protection.js';
import type { PksMode } from '../../src/kernel/arch/x86/include/asm/pks.js';

const V10: PksMode[] = ['STRICT', 'RELAXED'];
const TGLX: PksMode[] = ['STRICT', 'RELAXED', 'SILENT', 'OFF'];

describe('sysfs_streq', () => {
  test.each([
    ['strict', 'strict', true], ['strict\n', 'strict', true], ['strict', 'strict\n', true],
    ['strict\n\n', 'strict', false], ['Strict', 'strict', false], ['stric', 'strict', false], ['', '', true],
  ])('sysfs_streq(%j, %j) = %s', (a, b, want) => {
    expect(sysfs_streq(a, b)).toBe(want);
  });
});

describe('param_set_pks_fault_mode (fixed)', () => {
  test.each([
    ['strict', 'STRICT'], ['strict\n', 'STRICT'], ['relaxed', 'RELAXED'], ['relaxed\n', 'RELAXED'],
  ])('V10 %j selects %s', (val, mode) => {
    expect(param_set_pks_fault_mode(val, 'RELAXED', V10, 'fixed')).toEqual({ ok: true, mode });
  });
  test('V10 knows no silent/off: -EINVAL, the mode stays', () => {
    expect(param_set_pks_fault_mode('silent', 'STRICT', V10, 'fixed')).toEqual({ ok: false, errno: '-EINVAL', mode: 'STRICT' });
    expect(param_set_pks_fault_mode('off', 'RELAXED', V10, 'fixed')).toEqual({ ok: false, errno: '-EINVAL', mode: 'RELAXED' });
  });
  test('V-TGLX parses all four modes', () => {
    for (const m of TGLX) expect(param_set_pks_fault_mode(`${m.toLowerCase()}\n`, 'RELAXED', TGLX, 'fixed').mode).toBe(m);
  });
  test('the kernel parser agrees with what the administrator means, for any string', () => {
    fc.assert(fc.property(fc.oneof(fc.constantFrom('strict', 'relaxed', 'silent', 'off', 'strict\n', 'relaxed\n', 'STRICT'), fc.string()), (val) => {
      for (const known of [V10, TGLX]) expect(param_set_pks_fault_mode(val, 'RELAXED', known, 'fixed').mode).toBe(intendedMode(val, known));
    }));
  });
});

describe('V7 parse bug: !sysfs_streq()', () => {
  test('writing "strict" selects RELAXED, "relaxed" selects STRICT', () => {
    expect(param_set_pks_fault_mode('strict', 'STRICT', V10, 'v7').mode).toBe('RELAXED');
    expect(param_set_pks_fault_mode('relaxed', 'RELAXED', V10, 'v7').mode).toBe('STRICT');
    expect(intendedMode('strict', V10)).toBe('STRICT');
  });
  test('anything but "relaxed" becomes RELAXED, even garbage that should be -EINVAL', () => {
    expect(param_set_pks_fault_mode('bogus', 'STRICT', V10, 'v7')).toEqual({ ok: true, mode: 'RELAXED' });
  });
});
