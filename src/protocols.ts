/** The built-in protocols, and lookups that fail with a message naming what exists. */
import type { Protocol, Variant } from './protocol.js';
import { BadInput } from './check/options.js';
import { kmapProtocol } from '../properties/kmap.js';
import { pasidProtocol } from '../properties/pasid.js';
import { pageProtectionProtocol } from '../properties/page-protection.js';
import { textPokeProtocol } from '../properties/text-poke.js';
import { memregionProtocol } from '../properties/memregion.js';

export const protocols: Protocol[] = [kmapProtocol, pasidProtocol, pageProtectionProtocol, textPokeProtocol, memregionProtocol].map((p) => p as unknown as Protocol);

export function findProtocol(name: string): Protocol {
  const p = protocols.find((q) => q.name === name);
  if (!p) throw new BadInput(`unknown protocol '${name}' (known: ${protocols.map((q) => q.name).join(', ')})`);
  return p;
}

/** The named variant, or the protocol's first correct one. */
export function findVariant(p: Protocol, name: string | undefined): Variant {
  const v = name === undefined ? p.variants.find((x) => !x.buggy) : p.variants.find((x) => x.name === name);
  if (!v) throw new BadInput(`unknown variant '${name}' of ${p.name} (known: ${p.variants.map((x) => x.name).join(', ')})`);
  return v;
}
