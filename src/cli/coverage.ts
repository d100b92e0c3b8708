/**
 * kcheck coverage [PROTOCOL…]: line and branch coverage of the kernel model (src/kernel) that
 * each variant's default run reaches, and the branches no variant's run takes.
 */
import { protocolCoverage, type Count, type ProtocolCoverage } from '../check/code-coverage.js';
import { findProtocol, protocols } from '../protocols.js';
import { EXIT, json, out, stdoutColors } from './shared.js';

export interface CoverageFlags { variant?: string; runs?: number; seed?: number; json?: boolean }

const pct = (c: Count) => `${c.covered}/${c.total} ${c.total ? Math.floor((c.covered / c.total) * 100) : 100}%`;

export async function coverageCommand(names: string[], flags: CoverageFlags): Promise<number> {
  const ps = (names.length ? names : protocols.map((p) => p.name)).map(findProtocol);
  const seed = flags.seed ?? 1;
  const results: ProtocolCoverage[] = [];
  for (const p of ps) {
    const variants = p.variants.filter((v) => flags.variant === undefined || v.name === flags.variant);
    if (variants.length === 0) continue;
    results.push(await protocolCoverage(p.name, variants, seed, flags.runs));
  }
  if (flags.json) {
    json({ seed, protocols: results });
    return EXIT.holds;
  }
  const c = stdoutColors();
  for (const r of results) {
    out(c.bold(`${r.protocol}: src/kernel coverage of each variant's ${flags.runs ? `check of ${flags.runs} runs` : 'default run'} (seed ${seed}), over the ${r.union.files.length} files its runs enter`));
    const rows = [...r.variants.map((v) => [v.variant, v.buggy ? 'buggy' : 'correct', v.verdict, pct(v.coverage.lines), pct(v.coverage.branches)]),
      ['all variants', '', '', pct(r.union.lines), pct(r.union.branches)]];
    const head = ['variant', 'kind', 'verdict', 'lines', 'branches'];
    const width = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
    const line = (x: string[]) => `  ${x.map((cell, i) => cell.padEnd(width[i]!)).join('  ').trimEnd()}`;
    out(c.bold(line(head)));
    for (const x of rows) out(line(x));
    const gaps = r.union.missed;
    out(gaps.length ? `  branches no variant's run takes (${gaps.length}, ${gaps.filter((g) => g.reason).length} with a stated reason):` : '  every branch is taken by some variant');
    for (const g of gaps) out(`    ${`${g.file}:${g.line}`.padEnd(44)} ${g.text.slice(0, 60)}${g.reason ? c.dim(`  (${g.reason})`) : ''}`);
    out('');
  }
  return EXIT.holds;
}
