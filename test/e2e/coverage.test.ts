/**
 * kcheck coverage as a user runs it: V8 coverage of the kernel model per variant, mapped to the
 * TypeScript sources, over the files the protocol's runs enter, with the branches never taken.
 */
import { describe, expect, test } from 'vitest';
import { kcheck } from '../helpers/cli.js';

interface Missed { file: string; line: number; text: string }
interface Report {
  seed: number;
  protocols: { protocol: string; variants: { variant: string; verdict: string; coverage: { lines: { covered: number; total: number }; files: { file: string }[]; missed: Missed[] } }[]; union: { missed: Missed[] } }[];
}

const measure = (...args: string[]): Report => {
  // 2,000 runs instead of the default budget: enough to reach the pool's paths, short for CI
  const r = kcheck('coverage', 'kmap', '--json', '--runs', '2000', ...args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
};

describe('kcheck coverage', () => {
  test('per variant, over the protocol\'s kernel files: mainline maps through the pkmap pool, no-highmem never does', () => {
    const both = measure('--variant', 'mainline');
    const [main] = both.protocols[0]!.variants;
    expect(main!.verdict).toBe('holds');
    expect(main!.coverage.files.map((f) => f.file)).toContain('src/kernel/mm/highmem.ts');
    expect(main!.coverage.lines.covered).toBeGreaterThan(main!.coverage.lines.total / 2);
    // a line of kmap_high that only a HIGHMEM kernel reaches
    const flushLine = (ms: Missed[]) => ms.some((m) => m.file === 'src/kernel/mm/highmem.ts' && /flush_all_zero_pkmaps\(x\)/.test(m.text));
    expect(flushLine(main!.coverage.missed)).toBe(false);
    const none = measure('--variant', 'no-highmem').protocols[0]!.variants[0]!;
    expect(none.coverage.lines.covered).toBeLessThan(main!.coverage.lines.covered);
    expect(none.coverage.missed.some((m) => m.file === 'src/kernel/mm/highmem.ts')).toBe(true);
  });

  test('the text report names each variant, and lists the branches no variant takes', () => {
    const r = kcheck('coverage', 'kmap', '--variant', 'mainline', '--runs', '2000');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/kmap: src\/kernel coverage of each variant's check of 2000 runs \(seed 1\)/);
    expect(r.stdout).toMatch(/mainline +correct +holds +\d+\/\d+ \d+% +\d+\/\d+ \d+%/);
    expect(r.stdout).toMatch(/branches no variant's run takes \(\d+/);
  });
});
