/** Runs the built kcheck binary (see test/e2e/global-setup.ts) as a user or CI would. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
// declares the provided `kcheckBin` (type only: erased at run time)
import type {} from '../e2e/global-setup.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** No colours, no progress bars, and no KCHECK_* overrides leaking in from the caller's shell. */
function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
  for (const k of Object.keys(e)) if (k.startsWith('KCHECK_')) delete e[k];
  return e;
}

export function kcheck(...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [inject('kcheckBin'), ...args], { cwd: ROOT, env: env(), encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The replay token a report prints. */
export function tokenIn(text: string): string {
  const m = /kcheck replay (kc3\.[A-Za-z0-9_-]+)/.exec(text);
  if (!m) throw new Error(`no replay token in:\n${text}`);
  return m[1]!;
}
