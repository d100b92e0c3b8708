/** The built-in protocols, as an immutable registry. */
import type { Protocol } from './protocol.js';
import { Registry } from './registry.js';
import { kmapProtocol } from '../properties/kmap.js';
import { pasidProtocol } from '../properties/pasid.js';
import { pageProtectionProtocol } from '../properties/page-protection.js';

export const builtins = new Registry([kmapProtocol as unknown as Protocol, pasidProtocol as unknown as Protocol, pageProtectionProtocol as unknown as Protocol]);

/** The built-in protocols (a frozen list: extend with `builtins.with(...)` or pass a protocol to check()). */
export const protocols: readonly Protocol[] = Object.freeze(builtins.protocols);

/** A built-in protocol by name. */
export function findProtocol(name: string): Protocol {
  return builtins.find(name);
}

export { findVariant } from './registry.js';
