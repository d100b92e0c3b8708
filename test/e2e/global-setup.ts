/**
 * Builds the CLI once before the suite, so that the e2e tests run the binary a user runs
 * (dist/src/cli/main.js) compiled from the current sources, not a stale build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BIN, ROOT } from '../helpers/cli.js';

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status === 0) return;
  // tsc still emits on type errors; the typecheck belongs to `npm run typecheck`, not to e2e
  if (!existsSync(BIN)) throw new Error(`tsc did not produce ${BIN}:\n${r.stdout}${r.stderr}`);
  process.stderr.write(`global-setup: tsc reported errors, running e2e on what it emitted:\n${r.stdout.split('\n').slice(0, 5).join('\n')}\n`);
}
