/** Parsers of flag values: a bad value is commander's one-line "option '--x' argument '…' is invalid". */
import { InvalidArgumentError } from 'commander';
import { parseShard, type Shard } from '../check/workers.js';

export function intFlag(min: number, max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got '${raw}'`);
    return n;
  };
}

/** --param name=value, repeatable: the values so far with this one added. */
export function paramFlag(raw: string, previous: unknown): Record<string, number> {
  const m = /^([\w-]+)=(-?\d+)$/.exec(raw.trim());
  if (!m) throw new InvalidArgumentError(`expected name=integer, got '${raw}'`);
  return { ...((previous as Record<string, number> | undefined) ?? {}), [m[1]!]: Number(m[2]) };
}

export function secondsFlag(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number of seconds, got '${raw}'`);
  return n;
}

export function shardFlag(raw: string): Shard {
  try {
    return parseShard(raw);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}
