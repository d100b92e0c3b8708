/**
 * Replay tokens: "kc3." + base64url(deflate(JSON)). They carry the whole scenario (protocol,
 * variant, CPUs, bounds, workload), the choices actually taken, and the user files the scenario
 * needs (a protocol file, invariant files) by path and content hash, so a replay needs nothing
 * else and does not depend on fast-check's seed/path (which break across versions). kc2 tokens
 * are kc3 tokens without files (9 fields; 10 with the delay bound); kc1 tokens came from a
 * kcheck whose scheduler offered other choices and cannot be replayed.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { PreemptModel } from '../sim/world.js';
import { MAX_CPUS, PREEMPT_MODELS } from './options.js';

export const TOKEN_PREFIX = 'kc3.';
/** older prefixes this kcheck still reads */
const READABLE = ['kc2.'];

/** A user file a scenario needs: loaded again on replay, and compared with the hash it had. */
export interface SourceFile {
  role: 'protocol' | 'invariants';
  /** as given on the command line or in kcheck.config.ts, relative to the working directory */
  path: string;
  /** first 16 hex digits of the SHA-256 of its content */
  sha256: string;
}

export interface Scenario {
  protocol: string;
  variant: string;
  cpus: number;
  /** Infinity: unbounded */
  maxPreemptions: number;
  maxSteps: number;
  maxEnvSteps: number;
  /** delay bounding (prove --delay-bound): choices other than the first, at most; absent: none */
  maxDelays?: number;
  preempt: PreemptModel;
  workload: unknown;
  choices: number[];
  /** user files the scenario needs (none for the built-in protocols and invariants) */
  files?: SourceFile[];
}

export class BadToken extends Error {
  constructor(why: string) {
    super(`malformed replay token: ${why}`);
    this.name = 'BadToken';
  }
}

export function encodeToken(s: Scenario): string {
  const bound = Number.isFinite(s.maxPreemptions) ? s.maxPreemptions : null;
  const files = (s.files ?? []).map((f) => [f.role, f.path, f.sha256]);
  const body = JSON.stringify([s.protocol, s.variant, s.cpus, bound, s.maxSteps, s.maxEnvSteps, s.maxDelays ?? null, s.preempt, s.workload, s.choices, files]);
  return TOKEN_PREFIX + deflateRawSync(Buffer.from(body, 'utf8'), { level: 9 }).toString('base64url');
}

const isNat = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

function decodeFiles(v: unknown): SourceFile[] {
  const ok = Array.isArray(v) && v.every((f) => Array.isArray(f) && f.length === 3 && (f[0] === 'protocol' || f[0] === 'invariants')
    && typeof f[1] === 'string' && f[1] !== '' && typeof f[2] === 'string' && /^[0-9a-f]{16}$/.test(f[2]));
  if (!ok) throw new BadToken('its files must be [role, path, sha256] entries');
  return (v as [SourceFile['role'], string, string][]).map(([role, path, sha256]) => ({ role, path, sha256 }));
}

export function decodeToken(token: string): Scenario {
  const t = token.trim();
  const prefix = [TOKEN_PREFIX, ...READABLE].find((p) => t.startsWith(p));
  if (!prefix) {
    const m = /^kc(\d+)\./.exec(t);
    throw new BadToken(m ? `version kc${m[1]} is not supported (this kcheck reads ${[TOKEN_PREFIX, ...READABLE].map((p) => p.slice(0, -1)).join(' and ')})` : `it must start with '${TOKEN_PREFIX}'`);
  }
  const b64 = t.slice(prefix.length);
  if (!/^[A-Za-z0-9_-]+$/.test(b64)) throw new BadToken('it contains characters outside base64url');
  let parsed: unknown;
  try {
    parsed = JSON.parse(inflateRawSync(Buffer.from(b64, 'base64url')).toString('utf8'));
  } catch {
    throw new BadToken('its payload does not decompress to JSON (truncated or mistyped?)');
  }
  if (!Array.isArray(parsed) || !(prefix === TOKEN_PREFIX ? [11] : [9, 10]).includes(parsed.length)) throw new BadToken('its payload has the wrong shape');
  // kc2 without the delay bound: insert it; kc2 without files: none
  const fields = parsed.length === 9 ? [...parsed.slice(0, 6), null, ...parsed.slice(6), []] : parsed.length === 10 ? [...parsed, []] : parsed;
  const [protocol, variant, cpus, maxPreemptions, maxSteps, maxEnvSteps, maxDelays, preempt, workload, choices, files] = fields as unknown[];
  if (typeof protocol !== 'string' || typeof variant !== 'string') throw new BadToken('protocol and variant must be names');
  // the same ranges resolveOptions() accepts
  if (!isNat(cpus) || cpus < 1 || cpus > MAX_CPUS) throw new BadToken(`cpus must be from 1 to ${MAX_CPUS}`);
  if (!(maxPreemptions === null || (isNat(maxPreemptions) && maxPreemptions <= 64)) || !isNat(maxSteps) || maxSteps < 10
    || !isNat(maxEnvSteps) || maxEnvSteps > 10_000 || !(maxDelays === null || (isNat(maxDelays) && maxDelays <= 64))) throw new BadToken('its bounds are out of range');
  if (!PREEMPT_MODELS.includes(preempt as PreemptModel)) throw new BadToken(`its preemption model is not one of ${PREEMPT_MODELS.join(', ')}`);
  if (!Array.isArray(choices) || !choices.every(isNat)) throw new BadToken('choices must be natural numbers');
  const scenario: Scenario = {
    protocol, variant, cpus, maxPreemptions: maxPreemptions ?? Infinity, maxSteps, maxEnvSteps, ...(maxDelays !== null ? { maxDelays } : {}),
    preempt: preempt as PreemptModel, workload, choices: choices as number[],
  };
  const list = decodeFiles(files);
  return list.length ? { ...scenario, files: list } : scenario;
}
