/**
 * Plain-text tables that fit a width (120 columns by default): columns keep their natural width
 * while the table fits; otherwise the widest columns are narrowed and their cells wrap at spaces
 * after a space, '/' or '-' (inside a word only when a part is longer than the column).
 */
export const TABLE_WIDTH = 120;
const GAP = 2;
const MIN_COL = 6;

/** Greedy wrapping that breaks after a space, '/' or '-' where it can, inside a word where it must. */
function wrap(cell: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let piece of cell.split(/(?<=[ /-])/)) {
    if ((line + piece).trimEnd().length <= width) {
      line += piece;
      continue;
    }
    if (line) lines.push(line.trimEnd());
    line = '';
    while (piece.trimEnd().length > width) {
      lines.push(piece.slice(0, width));
      piece = piece.slice(width);
    }
    line = piece;
  }
  lines.push(line.trimEnd());
  return lines;
}

/** The column widths: natural, then the widest narrowed one character at a time until the table fits. */
function widths(all: string[][], max: number): number[] {
  const w = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const total = () => w.reduce((a, b) => a + b, 0) + GAP * (w.length - 1);
  while (total() > max) {
    const widest = w.indexOf(Math.max(...w));
    if (w[widest]! <= MIN_COL) break;
    w[widest]!--;
  }
  return w;
}

/** The header's lines and each row's lines (a row wraps onto several when a cell does). */
export function table(head: string[], rows: string[][], max = TABLE_WIDTH): { head: string[]; rows: string[][] } {
  const w = widths([head, ...rows], max);
  const render = (row: string[]): string[] => {
    const cells = row.map((cell, i) => wrap(cell, w[i]!));
    const height = Math.max(...cells.map((c) => c.length));
    return Array.from({ length: height }, (_, k) => cells.map((c, i) => (c[k] ?? '').padEnd(w[i]!)).join(' '.repeat(GAP)).trimEnd());
  };
  return { head: render(head), rows: rows.map(render) };
}
