/**
 * Replay tokens: "kc2." + base64url(deflate(JSON)). They carry the whole scenario (protocol,
 * variant, CPUs, bounds, workload) and the choices actually taken, so a replay needs nothing else
 * and does not depend on fast-check's seed/path (which break across versions). kc1 tokens came
 * from a kcheck whose scheduler offered other choices; they cannot be replayed.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { PreemptModel } from '../sim/world.js';
import { MAX_CPUS, PREEMPT_MODELS } from './options.js';

export const TOKEN_PREFIX = 'kc2.';

export interface Scenario {
  protocol: string;
  variant: string;
  cpus: number;
  /** Infinity: unbounded */
  maxPreemptions: number;
  maxSteps: number;
  maxEnvSteps: number;
  preempt: PreemptModel;
  workload: unknown;
  choices: number[];
}

export class BadToken extends Error {
  constructor(why: string) {
    super(`malformed replay token: ${why}`);
    this.name = 'BadToken';
  }
}

export function encodeToken(s: Scenario): string {
  const bound = Number.isFinite(s.maxPreemptions) ? s.maxPreemptions : null;
  const body = JSON.stringify([s.protocol, s.variant, s.cpus, bound, s.maxSteps, s.maxEnvSteps, s.preempt, s.workload, s.choices]);
  return TOKEN_PREFIX + deflateRawSync(Buffer.from(body, 'utf8'), { level: 9 }).toString('base64url');
}

const isNat = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

export function decodeToken(token: string): Scenario {
  const t = token.trim();
  if (!t.startsWith(TOKEN_PREFIX)) {
    const m = /^kc(\d+)\./.exec(t);
    throw new BadToken(m ? `version kc${m[1]} is not supported (this kcheck reads ${TOKEN_PREFIX.slice(0, -1)})` : `it must start with '${TOKEN_PREFIX}'`);
  }
  const b64 = t.slice(TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(b64)) throw new BadToken('it contains characters outside base64url');
  let parsed: unknown;
  try {
    parsed = JSON.parse(inflateRawSync(Buffer.from(b64, 'base64url')).toString('utf8'));
  } catch {
    throw new BadToken('its payload does not decompress to JSON (truncated or mistyped?)');
  }
  if (!Array.isArray(parsed) || parsed.length !== 9) throw new BadToken('its payload has the wrong shape');
  const [protocol, variant, cpus, maxPreemptions, maxSteps, maxEnvSteps, preempt, workload, choices] = parsed as unknown[];
  if (typeof protocol !== 'string' || typeof variant !== 'string') throw new BadToken('protocol and variant must be names');
  // the same ranges resolveOptions() accepts
  if (!isNat(cpus) || cpus < 1 || cpus > MAX_CPUS) throw new BadToken(`cpus must be from 1 to ${MAX_CPUS}`);
  if (!(maxPreemptions === null || (isNat(maxPreemptions) && maxPreemptions <= 64)) || !isNat(maxSteps) || maxSteps < 10
    || !isNat(maxEnvSteps) || maxEnvSteps > 10_000) throw new BadToken('its bounds are out of range');
  if (!PREEMPT_MODELS.includes(preempt as PreemptModel)) throw new BadToken(`its preemption model is not one of ${PREEMPT_MODELS.join(', ')}`);
  if (!Array.isArray(choices) || !choices.every(isNat)) throw new BadToken('choices must be natural numbers');
  return { protocol, variant, cpus, maxPreemptions: maxPreemptions ?? Infinity, maxSteps, maxEnvSteps, preempt: preempt as PreemptModel, workload, choices: choices as number[] };
}
