/**
 * Loads a user's invariant file (TypeScript or JavaScript) at run time with jiti, and checks
 * its exports with a schema, so a broken file is one clear line naming the file and the problem.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';
import { z } from 'zod';
import { BadInput } from '../check/options.js';
import type { Invariant } from '../protocol.js';

const invariantSchema = z.object({
  name: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "must look like '<protocol>/<name>'"),
  description: z.string().min(1),
  final: z.boolean().optional(),
  check: z.custom<Invariant['check']>((v) => typeof v === 'function', 'must be a function (world, spec) => string | undefined'),
});

const moduleSchema = (v: unknown) => (Array.isArray(v) ? z.array(invariantSchema).min(1) : invariantSchema);

/** `import ... from 'kcheck'` in a user's file means this kcheck, wherever the file lives. */
const KCHECK = fileURLToPath(new URL('../index.js', import.meta.url));

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.trim();
}

export async function loadInvariants(file: string): Promise<Invariant[]> {
  const path = resolve(file);
  if (!existsSync(path)) throw new BadInput(`invariant file ${file}: not found`);
  let mod: Record<string, unknown>;
  try {
    mod = await createJiti(import.meta.url, { moduleCache: false, fsCache: false, alias: { kcheck: KCHECK } }).import(path);
  } catch (e) {
    throw new BadInput(`invariant file ${file} does not load: ${firstLine(e)}`);
  }
  // default export (one invariant or a list), else every named export
  const exported = 'default' in mod ? mod.default : Object.values(mod).flat();
  const parsed = moduleSchema(exported).safeParse(exported);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new BadInput(`invariant file ${file}: export${where} is not an invariant: ${issue.message}`);
  }
  const list = (Array.isArray(parsed.data) ? parsed.data : [parsed.data]) as Invariant[];
  return list.map((inv) => ({ ...inv, check: namingFile(inv, file) }));
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
