/** What every command shares: exit codes, output, colours, progress, flag parsing. */
import { InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { BadInput } from '../check/options.js';
import type { Invariant } from '../protocol.js';
import { findProtocol } from '../protocols.js';
import { colorEnabled, colors, type Colors } from '../report/text.js';
import { loadInvariants } from './load-invariants.js';

/** 0 holds, 1 counterexample (or a failed audit row), 2 bad input, 3 an exhaustive search stopped by a bound before it covered its space */
export const EXIT = { holds: 0, counterexample: 1, badInput: 2, incomplete: 3 } as const;

export const out = (line = '') => process.stdout.write(`${line}\n`);
export const json = (v: unknown) => out(JSON.stringify(v, null, 2));
export const stdoutColors = (): Colors => colors(colorEnabled(process.stdout));

export function intFlag(min: number, max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got '${raw}'`);
    return n;
  };
}

/** `--param name=value`, repeatable: collected into one record. */
export function paramFlag(raw: string, previous: Record<string, number>): Record<string, number> {
  const m = /^([\w-]+)=(-?\d+)$/.exec(raw.trim());
  if (!m) throw new InvalidArgumentError(`expected name=integer, got '${raw}'`);
  return { ...previous, [m[1]!]: Number(m[2]) };
}

export function secondsFlag(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number of seconds, got '${raw}'`);
  return n;
}

/** A progress bar on stderr for long runs, only on a TTY outside CI. */
export function progress(label: string, enabled: boolean): { update(done: number, total: number): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY || process.env.CI) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar({ stream: process.stderr, format: `${label} [{bar}] {value}/{total} runs`, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(done, total) {
      if (!started) { bar.start(total, 0); started = true; }
      bar.update(done);
    },
    stop() { if (started) bar.stop(); },
  };
}

/** User invariants grouped by the protocol their name starts with. */
export async function userInvariants(file: string | undefined): Promise<Map<string, Invariant[]>> {
  const byProtocol = new Map<string, Invariant[]>();
  if (!file) return byProtocol;
  for (const inv of await loadInvariants(file)) {
    const p = inv.name.split('/')[0]!;
    try {
      findProtocol(p);
    } catch {
      throw new BadInput(`invariant file ${file}: invariant ${inv.name} names an unknown protocol '${p}'`);
    }
    byProtocol.set(p, [...(byProtocol.get(p) ?? []), inv]);
  }
  return byProtocol;
}
