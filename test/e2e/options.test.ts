/**
 * One option table (src/cli/options.ts) feeds commander and the README (issue 8 item 11): the
 * README's tables are the generated ones, and every command's --help shows each of its options
 * with the default that command really uses.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { COMMANDS, OPTIONS, withOptionsTable, type OptionName } from '../../src/cli/options.js';
import { ROOT, kcheck } from '../helpers/cli.js';

const flat = (s: string) => s.replace(/\s+/g, ' ');

describe('the option table', () => {
  test('README.md has the generated tables (npm run docs:options rewrites them)', () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    expect(withOptionsTable(readme)).toBe(readme);
  });

  test.each(COMMANDS.map((c) => [c.name, c] as const))('kcheck %s --help lists each option with its default', (name, spec) => {
    const r = kcheck(name, '--help');
    expect(r.code).toBe(0);
    const help = flat(r.stdout);
    for (const [o, use] of Object.entries(spec.options)) {
      const option = OPTIONS[o as OptionName];
      expect(help).toContain(option.flags);
      const dflt = use.default ?? ('default' in option ? option.default : undefined);
      if (dflt !== undefined) expect(help).toContain(flat(`default ${dflt}`));
    }
  });

  // the defaults the help states are the ones the commands use
  test('compare: 500 runs with seed 1', () => {
    const data = JSON.parse(kcheck('compare', 'kmap', '--correct', '--json').stdout) as { seed: number; rows: { runs: number }[] };
    expect(data.seed).toBe(1);
    for (const row of data.rows) expect(row.runs).toBe(500);
  });

  test('KCHECK_SEED and KCHECK_RUNS override the flags, and the report says so', () => {
    const r = kcheck('run', 'kmap', '--variant', 'mainline', '--seed', '5', '--runs', '7', { env: { KCHECK_SEED: '9', KCHECK_RUNS: '11' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ kmap/mainline: no violation in 11 runs');
    expect(r.stdout).toMatch(/seed 9.*\[env: KCHECK_SEED=9 KCHECK_RUNS=11\]/);
  });
});
