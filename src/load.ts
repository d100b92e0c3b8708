/**
 * Loads a user's files at run time with jiti: invariant files, protocol files and
 * kcheck.config.ts. Exports are checked with a schema, so a broken file is one clear line naming
 * the file and the problem. Every file loaded is recorded with its content hash: tokens name the
 * files a counterexample needs.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';
import { z } from 'zod';
import { BadInput } from './check/options.js';
import type { SourceFile } from './check/token.js';
import type { Invariant, Protocol } from './protocol.js';
import { builtins } from './protocols.js';
import type { Registry } from './registry.js';

const invariantSchema = z.object({
  name: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "must look like '<protocol>/<name>'"),
  description: z.string().min(1),
  final: z.boolean().optional(),
  check: z.custom<Invariant['check']>((v) => typeof v === 'function', 'must be a function (world, spec) => string | undefined'),
});

const fn = (what: string) => z.custom<(...a: unknown[]) => unknown>((v) => typeof v === 'function', `must be a function (${what})`);
const protocolSchema = z.object({
  name: z.string().regex(/^[\w.-]+$/, 'must be a name of letters, digits, dots and dashes'),
  description: z.string(),
  machine: z.custom<object>((v) => typeof v === 'object' && v !== null && 'root' in v, 'must be an XState machine (createMachine/setup().createMachine, or noSpec from kcheck/sim)'),
  variants: z.array(z.object({ name: z.string().min(1), buggy: z.boolean(), description: z.string(), source: z.string(), expect: z.string().optional() }).loose()).min(1),
  invariants: z.array(invariantSchema.partial({ check: true })),
  workload: fn('options => fast-check arbitrary'),
  setup: fn('(workload, variant, { cpus }) => { k, tasks, irqs, hooks, specInput }'),
  refusal: fn('event => invariant name'),
}).loose();

/** `import ... from 'kcheck'` (and 'kcheck/sim') in a user's file means this kcheck, wherever the file lives. */
const ALIAS = {
  'kcheck/sim': fileURLToPath(new URL('./sim.js', import.meta.url)),
  kcheck: fileURLToPath(new URL('./index.js', import.meta.url)),
};

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();
}

/** The path as tokens carry it: relative to the working directory, with forward slashes. */
export function sourcePath(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel.split(sep).join('/');
}

export function contentHash(file: string): string {
  return createHash('sha256').update(readFileSync(resolve(file))).digest('hex').slice(0, 16);
}

async function importFile(file: string, what: string): Promise<{ mod: Record<string, unknown>; source: Omit<SourceFile, 'role'> }> {
  const path = resolve(file);
  if (!existsSync(path)) throw new BadInput(`${what} file ${file}: not found`);
  let mod: Record<string, unknown>;
  try {
    mod = await createJiti(import.meta.url, { moduleCache: false, fsCache: false, alias: ALIAS }).import(path);
  } catch (e) {
    throw new BadInput(`${what} file ${file} does not load: ${firstLine(e)}`);
  }
  return { mod, source: { path: sourcePath(file), sha256: contentHash(file) } };
}

/** The default export (one item or a list), else every named export. */
const exported = (mod: Record<string, unknown>) => ('default' in mod ? mod.default : Object.values(mod).flat());

function parse<T>(schema: z.ZodType, v: unknown, file: string, what: string): T[] {
  const parsed = (Array.isArray(v) ? z.array(schema).min(1) : schema).safeParse(v);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new BadInput(`${what} file ${file}: export${where} is not ${what === 'invariant' ? 'an invariant' : 'a protocol'}: ${issue.message}`);
  }
  return (Array.isArray(v) ? v : [v]) as T[];
}

export async function loadInvariants(file: string): Promise<{ invariants: Invariant[]; source: SourceFile }> {
  const { mod, source } = await importFile(file, 'invariant');
  const list = parse<Invariant>(invariantSchema, exported(mod), file, 'invariant');
  return { invariants: list.map((inv) => ({ ...inv, check: namingFile(inv, file) })), source: { role: 'invariants', ...source } };
}

export async function loadProtocols(file: string): Promise<{ protocols: Protocol[]; source: SourceFile }> {
  const { mod, source } = await importFile(file, 'protocol');
  return { protocols: parse<Protocol>(protocolSchema, exported(mod), file, 'protocol'), source: { role: 'protocol', ...source } };
}

/** An exception from a user's check names the file it came from (the engine adds the invariant). */
function namingFile(inv: Invariant, file: string): Invariant['check'] {
  const check = inv.check!;
  return (w, spec, ghost) => {
    try {
      return check(w, spec, ghost);
    } catch (e) {
      throw new Error(`${firstLine(e)} (in ${file})`);
    }
  };
}

export interface Config {
  /** protocol files, relative to the config file */
  protocols?: string[];
  /** invariant files, relative to the config file */
  invariants?: string[];
}

const configSchema = z.object({ protocols: z.array(z.string()).optional(), invariants: z.array(z.string()).optional() }).strict();

export const CONFIG_NAMES = ['kcheck.config.ts', 'kcheck.config.mts', 'kcheck.config.js', 'kcheck.config.mjs'];

/** kcheck.config.* of the working directory (or the file named), with its paths made relative to the working directory. */
export async function loadConfig(file?: string): Promise<Required<Config> & { file: string | null }> {
  const found = file ?? CONFIG_NAMES.find((n) => existsSync(resolve(n)));
  if (!found) return { protocols: [], invariants: [], file: null };
  const { mod } = await importFile(found, 'config');
  const parsed = configSchema.safeParse(mod.default);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BadInput(`config file ${found}: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message} (expected export default { protocols?: string[], invariants?: string[] })`);
  }
  const dir = dirname(resolve(found));
  const rel = (p: string) => sourcePath(resolve(dir, p));
  return { protocols: (parsed.data.protocols ?? []).map(rel), invariants: (parsed.data.invariants ?? []).map(rel), file: found };
}

/**
 * The built-in protocols plus those the files define, and the files' invariants: what a worker
 * thread loads, since functions cannot cross threads.
 */
export async function loadSources(sources: SourceFile[]): Promise<{ registry: Registry; invariants: Invariant[] }> {
  let registry = builtins;
  const invariants: Invariant[] = [];
  for (const s of sources) {
    if (s.role === 'protocol') registry = registry.with(...(await loadProtocols(s.path)).protocols);
    else invariants.push(...(await loadInvariants(s.path)).invariants);
  }
  return { registry, invariants };
}
