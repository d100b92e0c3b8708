/**
 * What a command works on: the built-in protocols plus the user's (from --protocol files and
 * kcheck.config.ts), the user's invariants per protocol, and the files each protocol's checks
 * need (so that tokens can name them and workers can load them).
 */
import { BadInput } from '../check/options.js';
import type { SourceFile } from '../check/token.js';
import type { Invariant } from '../protocol.js';
import { builtins } from '../protocols.js';
import { suggest, type Registry } from '../registry.js';
import { contentHash, loadConfig, loadInvariants, loadProtocols, sourcePath } from '../load.js';

export interface WorkspaceFlags {
  /** protocol files (--protocol, repeatable) */
  protocol?: string[];
  /** invariant files (--invariants, repeatable) */
  invariants?: string[];
  /** a config file other than ./kcheck.config.* */
  config?: string;
}

export interface Workspace {
  registry: Registry;
  /** names of the protocols that user files define, in load order */
  user: string[];
  /** the user invariants of a protocol */
  invariants(protocol: string): Invariant[];
  /** the user files a check of this protocol needs (its protocol file, invariant files that name it) */
  sources(protocol: string): SourceFile[];
}

/** The built-in protocols alone, no user files. */
export const builtinWorkspace: Workspace = { registry: builtins, user: [], invariants: () => [], sources: () => [] };

/** Each file once, however it is spelled (the config and the command line may both name it). */
const unique = (files: string[]) => files.filter((f, i) => files.findIndex((g) => sourcePath(g) === sourcePath(f)) === i);

export async function loadWorkspace(flags: WorkspaceFlags): Promise<Workspace> {
  const config = await loadConfig(flags.config);
  let registry = builtins;
  const user: string[] = [];
  const protocolSource = new Map<string, SourceFile>();
  for (const file of unique([...config.protocols, ...(flags.protocol ?? [])])) {
    const { protocols, source } = await loadProtocols(file);
    for (const p of protocols) {
      if (registry.has(p.name)) throw new BadInput(`protocol file ${file}: a protocol named '${p.name}' is already loaded${builtins.has(p.name) ? ' (a built-in one)' : ''}`);
      registry = registry.with(p);
      user.push(p.name);
      protocolSource.set(p.name, source);
    }
  }
  const invariants = new Map<string, Invariant[]>();
  const invariantSources = new Map<string, SourceFile[]>();
  for (const file of unique([...config.invariants, ...(flags.invariants ?? [])])) {
    const loaded = await loadInvariants(file);
    for (const inv of loaded.invariants) {
      const p = inv.name.split('/')[0]!;
      if (!registry.has(p)) throw new BadInput(`invariant file ${file}: invariant ${inv.name} names an unknown protocol '${p}'${suggest(p, registry.names)}`);
      invariants.set(p, [...(invariants.get(p) ?? []), inv]);
      const had = invariantSources.get(p) ?? [];
      if (!had.some((s) => s.path === loaded.source.path)) invariantSources.set(p, [...had, loaded.source]);
    }
  }
  return {
    registry, user,
    invariants: (p) => invariants.get(p) ?? [],
    sources: (p) => [...(protocolSource.has(p) ? [protocolSource.get(p)!] : []), ...(invariantSources.get(p) ?? [])],
  };
}

/**
 * The workspace a token's replay needs: the files it names, each unless the command line gives
 * a file of that role, with a note for each whose content changed since the token was made.
 */
export async function tokenWorkspace(files: SourceFile[], flags: WorkspaceFlags): Promise<{ workspace: Workspace; notes: string[] }> {
  const notes: string[] = [];
  const pick = (role: SourceFile['role'], given: string[] | undefined) => {
    if (given?.length) return given;
    return files.filter((f) => f.role === role).map((f) => f.path);
  };
  const protocolFiles = pick('protocol', flags.protocol);
  const invariantFiles = pick('invariants', flags.invariants);
  const workspace = await loadWorkspace({ protocol: protocolFiles, invariants: invariantFiles, config: flags.config })
    .catch((e: unknown) => {
      const missing = files.find((f) => e instanceof Error && e.message.includes(`${f.path}: not found`));
      if (missing) throw new BadInput(`the token needs ${missing.role} file ${missing.path} (sha256 ${missing.sha256}), which is not found here: replay from the directory the token was made in, or pass --${missing.role === 'protocol' ? 'protocol' : 'invariants'} FILE`);
      throw e;
    });
  for (const f of files) {
    if (![...protocolFiles, ...invariantFiles].some((g) => sourcePath(g) === f.path)) continue;
    const now = contentHash(f.path);
    if (now !== f.sha256) notes.push(`${f.role} file ${f.path} changed since the token was made (sha256 ${f.sha256} then, ${now} now): the replay runs it as it is now`);
  }
  return { workspace, notes };
}
