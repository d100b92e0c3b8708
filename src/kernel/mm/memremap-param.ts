/**
 * memremap.pks_fault_mode=: param_set_pks_fault_mode() as in V10 mm/memremap.c (31/44
 * <20220419170649.1022246-32-ira.weiny@intel.com>), with tglx's SILENT and OFF for V-TGLX. V7
 * tested `!sysfs_streq()`, so that writing "strict" selected RELAXED (found by Rick Edgecombe,
 * fixed per <20210817031242.GF3169279@iweiny-DESK2.sc.intel.com>, A.4 #8).
 */
import type { PksMode } from '../arch/x86/include/asm/pks.js';

/** lib/string.c sysfs_streq(): equal, except that either may end in one newline. */
export function sysfs_streq(s1: string, s2: string): boolean {
  const a = s1.endsWith('\n') ? s1.slice(0, -1) : s1;
  // unreached: the kernel compares with constant names, which never end in a newline
  const b = s2.endsWith('\n') ? s2.slice(0, -1) : s2;
  return a === b;
}

export const PKS_MODE_NAMES: Record<PksMode, string> = { STRICT: 'strict', RELAXED: 'relaxed', SILENT: 'silent', OFF: 'off' };

/** The modes a runtime (sysfs) write may select; SILENT and OFF are boot-time only here. */
export const RUNTIME_MODES: PksMode[] = ['STRICT', 'RELAXED'];

/** pks_fault_mode before any parameter: V10 boots RELAXED. */
export const PKS_MODE_DEFAULT: PksMode = 'RELAXED';

export type ParamResult = { ok: true; mode: PksMode } | { ok: false; errno: '-EINVAL'; mode: PksMode };

/** Returns the mode after the write; -EINVAL leaves `current` unchanged. */
export function param_set_pks_fault_mode(val: string, current: PksMode, known: readonly PksMode[], parser: 'fixed' | 'v7'): ParamResult {
  if (parser === 'v7') {
    // V7: if (!sysfs_streq(val, "relaxed")) RELAXED; else if (!sysfs_streq(val, "strict")) STRICT
    if (!sysfs_streq(val, 'relaxed')) return { ok: true, mode: 'RELAXED' };
    if (!sysfs_streq(val, 'strict')) return { ok: true, mode: 'STRICT' };
    return { ok: false, errno: '-EINVAL', mode: current };
  }
  for (const m of known) if (sysfs_streq(val, PKS_MODE_NAMES[m])) return { ok: true, mode: m };
  return { ok: false, errno: '-EINVAL', mode: current };
}
