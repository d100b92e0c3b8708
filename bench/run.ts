/**
 * npm run bench: runs every bench/*.bench.ts section (compiled to dist/bench) and writes
 * BENCHMARKS.md. Figures are medians and ratios over several runs, never assertions.
 * A section module exports `title` and `run(): Promise<string>` returning Markdown.
 * `npm run bench -- peers kmap` runs only the sections whose files start so, and replaces only
 * their sections of BENCHMARKS.md.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
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
const target = join(here, '..', '..', 'BENCHMARKS.md');
/** the sections BENCHMARKS.md has now, by title, in order (kept where this run does not redo them) */
const kept = new Map<string, string>();
if (only.length && existsSync(target)) {
  for (const chunk of readFileSync(target, 'utf8').split(/^## /m).slice(1)) kept.set(chunk.slice(0, chunk.indexOf('\n')), `## ${chunk.trimEnd()}\n`);
}
for (const s of sections) {
  process.stderr.write(`bench: ${s.title}\n`);
  kept.set(s.title, [`## ${s.title}`, '', await s.run(), ''].join('\n'));
}
writeFileSync(target, [...parts, ...kept.values()].join('\n'));
process.stderr.write('bench: wrote BENCHMARKS.md\n');
