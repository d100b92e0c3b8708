/** Runs the built kcheck binary (see test/e2e/global-setup.ts) as a user or CI would. */
import { execFile, spawnSync } from 'node:child_process';
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

export interface CliOptions {
  /** variables set for this run (on top of the cleaned environment) */
  env?: Record<string, string>;
  /** default: the repository root */
  cwd?: string;
}

const split = (args: (string | CliOptions)[]) => {
  const last = args[args.length - 1];
  const o: CliOptions = typeof last === 'object' ? last : {};
  return { argv: [inject('kcheckBin'), ...args.filter((a): a is string => typeof a === 'string')], opts: { cwd: o.cwd ?? ROOT, env: { ...env(), ...o.env }, encoding: 'utf8' as const, timeout: 120_000 } };
};

/** Runs kcheck with these arguments; a last argument that is an object holds the options. */
export function kcheck(...args: (string | CliOptions)[]): CliResult {
  const { argv, opts } = split(args);
  const r = spawnSync(process.execPath, argv, opts);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** kcheck() without blocking the test file: concurrent tests run their commands side by side. */
export function kcheckAsync(...args: (string | CliOptions)[]): Promise<CliResult> {
  const { argv, opts } = split(args);
  return new Promise((resolve) => {
    const child = execFile(process.execPath, argv, { ...opts, maxBuffer: 64 << 20 }, (e, stdout, stderr) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

/** The replay token a report prints. */
export function tokenIn(text: string): string {
  const m = /kcheck replay (kc3\.[A-Za-z0-9_-]+)/.exec(text);
  if (!m) throw new Error(`no replay token in:\n${text}`);
  return m[1]!;
}
