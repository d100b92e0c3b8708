/** The mutation self-audit's mutator (bench/mutate): which mutants a kernel-model source yields, and their edits. */
import { describe, expect, test } from 'vitest';
import { applyMutant, mutantsOf } from '../../bench/mutate/mutator.js';
import { guardOf } from '../../bench/mutate/toggles.js';
import { JUDGED } from '../../bench/mutate/judged.js';
import { loadResults, mutantKey } from '../../bench/mutate/results.js';
import ts from 'typescript';

const SRC = `import type { X } from './t.js';
/** header: x.w.k.n = 1 */
export function* kfn(x: X, page: number): Gen {
  // x.w.k.n = 1;
  yield { fn: 'kfn', what: 'n < 1' };
  yield* spin_lock(x, 'kmap_lock');
  if (x.w.k.cfg.mutant === 'M-1') x.w.k.n = 2;
  x.w.k.count[page] = x.w.k.count[page]! + 1;
  count(x.w, 'hits');
  WARN_ON(x, x.w.k.n < 0);
  if (x.w.k.n < 2 && x.w.k.owner[x.cpu()] === page) x.w.k.n++;
  yield* spin_unlock(x, 'kmap_lock');
}
`;

describe('mutantsOf', () => {
  const ms = mutantsOf('k.ts', SRC);

  test('mutants that read alike (the same mutation of the same text) get an ordinal, so their keys differ', () => {
    const twice = `export function* f(x: X): Gen {\n  yield* spin_lock(x, 'a');\n  spin_unlock(x, 'a');\n  yield* spin_lock(x, 'a');\n  spin_unlock(x, 'a');\n}\n`;
    const unlocks = mutantsOf('k.ts', twice).filter((m) => m.mutation === "remove `spin_unlock(x, 'a');`");
    expect(unlocks.map((m) => [m.line, m.n])).toEqual([[3, undefined], [5, 1]]);
    expect(new Set(unlocks.map((m) => mutantKey('kmap', 'k.ts', m))).size).toBe(2);
  });

  test('lists every mutant of the live code, in source order', () => {
    expect(ms.map((m) => [m.line, m.kind, m.mutation])).toEqual([
      [5, 'swap-across-yield', "swap `yield { fn: 'kfn', what: 'n < 1' };` and `yield* spin_lock(x, 'kmap_lock');`"],
      [6, 'drop-lock', "remove `yield* spin_lock(x, 'kmap_lock');`"],
      [8, 'remove-assignment', 'remove `x.w.k.count[page] = x.w.k.count[page]! + 1;`'],
      [8, 'constant', '`x.w.k.count[page]! + 1`: 1 → 2'],
      [8, 'constant', '`x.w.k.count[page]! + 1`: 1 → 0'],
      [11, 'swap-across-yield', "swap `if (x.w.k.n < 2 && x.w.k.owner[x.cpu()] === page) x.w.k.n++;` and `yield* spin_unlock(x, 'kmap_lock');`"],
      [11, 'negate-condition', '`x.w.k.n < 2 && x.w.k.owner[x.cpu()] === page` → `!(x.w.k.n < 2 && x.w.k.owner[x.cpu()] === page)`'],
      [11, 'relational', '`<` → `<=`'],
      [11, 'logical', '`&&` → `||`'],
      [11, 'cpu-index', '`x.cpu()` → the next CPU'],
      [11, 'equality', '`===` → `!==`'],
      [11, 'remove-assignment', 'remove `x.w.k.n++;`'],
      [11, 'increment', '`++` → `--` in `x.w.k.n++`'],
      [12, 'drop-lock', "remove `yield* spin_unlock(x, 'kmap_lock');`"],
    ]);
  });

  test('skips comments, labels, the toggle and what it guards, counters and assertions', () => {
    const lines = new Set(ms.map((m) => m.line));
    for (const skipped of [1, 2, 4, 7, 9, 10]) expect(lines.has(skipped)).toBe(false);
    // a bare interleaving point is never removed (its runs are a subset of the model's), only moved
    expect(ms.some((m) => m.kind === 'remove-yield')).toBe(false);
    // the label's string 'n < 1' is never mutated
    expect(ms.some((m) => m.mutated.includes("'n <= 1'"))).toBe(false);
  });

  test('an edit changes only the mutated span; lines elsewhere stay byte for byte', () => {
    const cpu = ms.find((m) => m.kind === 'cpu-index')!;
    const out = applyMutant(SRC, cpu);
    expect(out.split('\n')[10]).toBe('  if (x.w.k.n < 2 && x.w.k.owner[((x.cpu() + 1) % x.w.cpus.length)] === page) x.w.k.n++;');
    expect(out.split('\n').filter((_, i) => i !== 10)).toEqual(SRC.split('\n').filter((_, i) => i !== 10));
    const swap = ms.find((m) => m.kind === 'swap-across-yield' && m.line === 5)!;
    expect(applyMutant(SRC, swap).split('\n').slice(4, 6)).toEqual(["  yield* spin_lock(x, 'kmap_lock');", "  yield { fn: 'kfn', what: 'n < 1' };"]);
    const off = ms.find((m) => m.kind === 'relational')!;
    expect(applyMutant(SRC, off)).toBe(SRC.replace('x.w.k.n < 2', 'x.w.k.n <= 2'));
  });

  test('every mutant still parses', () => {
    for (const m of ms) {
      const sf = ts.createSourceFile('k.ts', applyMutant(SRC, m), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
      expect((sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics, m.mutation).toEqual([]);
    }
  });
});

describe('guardOf', () => {
  const guard = (e: string) => guardOf((ts.createSourceFile('g.ts', e, ts.ScriptTarget.ES2022, true).statements[0] as ts.ExpressionStatement).expression);
  test('a toggle, its negation and its combinations', () => {
    expect(guard("k.cfg.mutant === 'M-1'")).toBe('bug');
    expect(guard("k.cfg.mutant !== 'M-1'")).toBe('fixed');
    expect(guard("!(k.cfg.mutant === 'M-1')")).toBe('fixed');
    expect(guard("k.cfg.mutant === 'M-1' && n > 0")).toBe('bug');
    expect(guard("k.cfg.mutant === 'M-1' || n > 0")).toBe(null);
    expect(guard('n > 0')).toBe(null);
  });
});

describe('judged.ts against bench/mutate/results.json', () => {
  test('every judgment names a survivor the campaigns recorded (none left for a mutant now killed or gone), with a reason', () => {
    const survivors = new Set<string>();
    for (const [protocol, pr] of Object.entries(loadResults(process.cwd()))) {
      for (const [file, fr] of Object.entries(pr.files)) for (const r of fr.results) if (r.status === 'survived') survivors.add(mutantKey(protocol, file, r));
    }
    const stale = [...JUDGED.keys()].filter((k) => !survivors.has(k));
    expect(stale).toEqual([]);
    expect([...JUDGED.values()].filter((j) => j.reason.length < 20)).toEqual([]);
    expect(JUDGED.size).toBeGreaterThan(0);
  });
});
