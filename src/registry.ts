/**
 * A registry of protocols: an immutable set looked up by name. The built-in protocols are one
 * (`builtins` in protocols.ts); a user's protocols make another with `builtins.with(mine)`, and
 * `check({ protocol, registry })` looks names up there. Nothing is registered into module state.
 * Lookups that miss fail with the names that exist and the closest one ("did you mean").
 */
import { closest, distance } from 'fastest-levenshtein';
import { BadInput } from './check/options.js';
import type { Protocol, Variant } from './protocol.js';

/** "; did you mean 'x'?" when a known name is close to the one given (two edits, or a third of it). */
export function suggest(given: string, known: readonly string[]): string {
  if (known.length === 0) return '';
  const best = closest(given, known as string[]);
  return distance(given, best) <= Math.max(2, Math.floor(best.length / 3)) ? `; did you mean '${best}'?` : '';
}

export class Registry {
  private readonly byName: ReadonlyMap<string, Protocol>;

  constructor(protocols: Iterable<Protocol<any, any, any, any, any>> = []) {
    const m = new Map<string, Protocol>();
    for (const p of protocols) {
      if (m.has(p.name)) throw new BadInput(`two protocols are named '${p.name}'`);
      m.set(p.name, p as Protocol);
    }
    this.byName = m;
  }

  /** A new registry with these protocols added (names must stay unique). */
  with(...protocols: Protocol<any, any, any, any, any>[]): Registry {
    return new Registry([...this.byName.values(), ...(protocols as Protocol[])]);
  }

  get protocols(): readonly Protocol[] {
    return [...this.byName.values()];
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  find(name: string): Protocol {
    const p = this.byName.get(name);
    if (!p) throw new BadInput(`unknown protocol '${name}' (known: ${this.names.join(', ')})${suggest(name, this.names)}`);
    return p;
  }
}

/** The named variant, or the protocol's first correct one. */
export function findVariant(p: Protocol, name: string | undefined): Variant {
  const v = name === undefined ? p.variants.find((x) => !x.buggy) : p.variants.find((x) => x.name === name);
  if (v) return v;
  const names = p.variants.map((x) => x.name);
  throw new BadInput(name === undefined ? `protocol ${p.name} has no correct variant: name one (known: ${names.join(', ')})`
    : `unknown variant '${name}' of ${p.name} (known: ${names.join(', ')})${suggest(name, names)}`);
}
