/**
 * Builds the CLI once before the suite, so that the e2e tests run the binary a user runs,
 * compiled from the current sources rather than a stale dist/. It builds into a private folder
 * (`.scratch-e2e-<pid>/`, git-ignored, inside the repo so node_modules and "type": "module"
 * resolve as for dist/): a concurrent `tsc` rewriting dist/ mid-run made spawned CLIs load
 * half-written modules, which is how parallel runs made these tests flaky.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** absolute path of the built CLI entry (the build's src/cli/main.js) */
    kcheckBin: string;
  }
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export default function setup(project: TestProject): () => void {
  const out = join(ROOT, `.scratch-e2e-${process.pid}`);
  const bin = join(out, 'src', 'cli', 'main.js');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--outDir', out], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    // tsc still emits on type errors; the typecheck belongs to `npm run typecheck`, not to e2e
    if (!existsSync(bin)) throw new Error(`tsc did not produce ${bin}:\n${r.stdout}${r.stderr}`);
    process.stderr.write(`global-setup: tsc reported errors, running e2e on what it emitted:\n${r.stdout.split('\n').slice(0, 5).join('\n')}\n`);
  }
  project.provide('kcheckBin', bin);
  return () => rmSync(out, { recursive: true, force: true });
}
