/**
 * npm run bench: runs every bench/*.bench.ts section (compiled to dist/bench) and writes
 * BENCHMARKS.md. Figures are medians and ratios over several runs, never assertions.
 * A section module exports `title` and `run(): Promise<string>` returning Markdown.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Section { title: string; order?: number; run(): Promise<string> }

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here).filter((f) => f.endsWith('.bench.js')).filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)));
const sections: Section[] = [];
for (const f of files) sections.push(await import(pathToFileURL(join(here, f)).href) as Section);
sections.sort((a, b) => (a.order ?? 50) - (b.order ?? 50));

const parts = [
  '# Benchmarks',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}.`,
  'Every figure is measured by the bench code in `bench/`; medians over the stated number of seeds or repetitions.',
  '',
];
for (const s of sections) {
  process.stderr.write(`bench: ${s.title}\n`);
  parts.push(`## ${s.title}`, '', await s.run(), '');
}
writeFileSync(join(here, '..', '..', 'BENCHMARKS.md'), parts.join('\n'));
process.stderr.write('bench: wrote BENCHMARKS.md\n');
