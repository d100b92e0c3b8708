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

const machine = `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`;
const today = new Date().toISOString().slice(0, 10);
const target = join(here, '..', '..', 'BENCHMARKS.md');
const old = only.length && existsSync(target) ? readFileSync(target, 'utf8') : '';
/** a partial run keeps the file's preamble and the sections it does not redo, in their order */
const preamble = old ? old.slice(0, old.search(/^## /m)).trimEnd() + '\n' : [
  '# Benchmarks',
  '',
  `Written by \`npm run bench\` on ${today}: ${machine}. A section measured later by \`npm run bench -- NAME\` says when.`,
  'Every figure is measured by the bench code in `bench/`; medians over the stated number of seeds or repetitions.',
  '',
].join('\n');
const kept = new Map<string, string>();
for (const chunk of old.split(/^## /m).slice(1)) kept.set(chunk.slice(0, chunk.indexOf('\n')), `## ${chunk.trimEnd()}\n`);
for (const s of sections) {
  process.stderr.write(`bench: ${s.title}\n`);
  const when = only.length ? [`_Measured on ${today}: ${machine}._`, ''] : [];
  kept.set(s.title, [`## ${s.title}`, '', ...when, await s.run(), ''].join('\n'));
}
writeFileSync(target, [preamble, ...kept.values()].join('\n'));
process.stderr.write('bench: wrote BENCHMARKS.md\n');
