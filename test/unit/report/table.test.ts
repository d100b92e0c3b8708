/** Tables fit 120 columns: columns narrow and cells wrap, and no text is lost. */
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { TABLE_WIDTH, table } from '../../../src/report/table.js';

const cell = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '/', '-', 'x'), maxLength: 60 }).map((s) => s.trim());

describe('table()', () => {
  test('a table that fits keeps its natural widths', () => {
    const t = table(['a', 'bb'], [['xxx', 'y']]);
    expect(t.head).toEqual(['a    bb']);
    expect(t.rows).toEqual([['xxx  y']]);
  });

  test('every line fits 120 columns and every cell keeps its text', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(fc.array(cell, { minLength: n, maxLength: n }), fc.array(fc.array(cell, { minLength: n, maxLength: n }), { maxLength: 5 }))), ([head, rows]) => {
      const t = table(head, rows);
      for (const l of [...t.head, ...t.rows.flat()]) expect(l.length).toBeLessThanOrEqual(TABLE_WIDTH);
      // the same characters (lines interleave the parts of wrapped cells, so compare them sorted)
      const letters = (s: string) => [...s.replace(/\s/g, '')].sort().join('');
      expect(letters(t.rows.flat().join(''))).toBe(letters(rows.flat().join('')));
    }));
  });

  test('wraps after "/" or "-" before it cuts a word', () => {
    const t = table(['variant', 'x'], [['handoff/complete-after-write', 'y'.repeat(110)]]);
    expect(t.rows[0]![0]!.startsWith('handoff/')).toBe(true);
  });
});
