/**
 * Code coverage: how much of the kernel model (src/kernel) each protocol's default runs reach,
 * measured as `kcheck coverage` measures it (V8 block coverage of every variant's default check,
 * seed 1), and every branch no variant's run takes, with the reason written next to it.
 * The per-protocol docs pages keep the figures from before issue 9's workloads.
 */
import { protocolCoverage, type Count } from '../src/check/code-coverage.js';
import { protocols } from '../src/protocols.js';
import { table } from './stats.js';

export const title = 'Code coverage of the kernel model';
export const order = 5;

const SEED = 1;
const pct = (c: Count) => `${c.covered}/${c.total} (${c.total ? ((100 * c.covered) / c.total).toFixed(1) : '100.0'}%)`;

export async function run(): Promise<string> {
  const rows: string[][] = [];
  const missed: string[] = [];
  for (const p of protocols) {
    const r = await protocolCoverage(p.name, p.variants, SEED);
    rows.push([p.name, String(r.variants.length), String(r.union.files.length), pct(r.union.lines), pct(r.union.branches),
      `${r.union.missed.length} (${r.union.missed.filter((g) => g.reason).length} with a reason)`]);
    for (const g of r.union.missed) missed.push(`| ${p.name} | \`${g.file.replace(/^src\/kernel\//, '')}:${g.line}\` | \`${g.text.slice(0, 70).replace(/\|/g, '\\|')}\` | ${g.reason ?? '**no reason stated**'} |`);
  }
  return [
    `\`kcheck coverage\` of every variant's default run (the default budget and portfolio with swarm, seed ${SEED}), V8 block coverage mapped to the`,
    'TypeScript sources; over the kernel-model files each protocol\'s runs enter. A branch is a V8 block (each arm of a condition, a loop body, an early return).',
    'Before/after figures for the workloads of issue 9 are in each protocol\'s docs page (docs/<protocol>.md).',
    '',
    table(['protocol', 'variants', 'files', 'lines (all variants)', 'branches (all variants)', 'branches no run takes'], rows),
    '',
    'Branches no variant\'s default run takes, and why (`// unreached:` comments in the source):',
    '',
    '| protocol | where | code | reason |',
    '| --- | --- | --- | --- |',
    ...missed,
  ].join('\n');
}
