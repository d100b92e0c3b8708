/** The built-in protocols, as an immutable registry. */
import type { Protocol } from './protocol.js';
import { Registry } from './registry.js';
import { kmapProtocol } from '../properties/kmap.js';
import { pasidProtocol } from '../properties/pasid.js';
import { pageProtectionProtocol } from '../properties/page-protection.js';
import { textPokeProtocol } from '../properties/text-poke.js';
import { memregionProtocol } from '../properties/memregion.js';

export const builtins = new Registry([kmapProtocol, pasidProtocol, pageProtectionProtocol, textPokeProtocol, memregionProtocol].map((p) => p as unknown as Protocol));

/** The built-in protocols (a frozen list: extend with `builtins.with(...)` or pass a protocol to check()). */
export const protocols: readonly Protocol[] = Object.freeze(builtins.protocols);

/** A built-in protocol by name. */
export function findProtocol(name: string): Protocol {
  return builtins.find(name);
}

export { findVariant } from './registry.js';
