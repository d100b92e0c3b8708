/**
 * Plain data (what a World is made of: numbers, strings, booleans, null, arrays, plain objects):
 * a structural 53-bit hash and a deep copy, each in one walk without building strings. A search
 * hashes and saves a state at every step; serialising to JSON and parsing it back cost more than
 * the model's own code.
 */

/** Two 32-bit lanes (murmur3 mixing with different seeds): 53 bits of them make the hash. */
let A = 0;
let B = 0;

function feed(v: number): void {
  let k = Math.imul(v | 0, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  A ^= k;
  A = (Math.imul((A << 13) | (A >>> 19), 5) + 0xe6546b64) | 0;
  B ^= Math.imul(k, 0x85ebca6b);
  B = (Math.imul((B << 17) | (B >>> 15), 9) + 0x52dce729) | 0;
}

function feedString(s: string): void {
  feed(s.length);
  for (let i = 0; i < s.length; i++) feed(s.charCodeAt(i));
}

function walk(v: unknown): void {
  switch (typeof v) {
    case 'number':
      if (Number.isInteger(v) && Math.abs(v) < 2 ** 31) { feed(1); feed(v); } else { feed(2); feedString(String(v)); }
      return;
    case 'string': feed(3); feedString(v); return;
    case 'boolean': feed(v ? 4 : 5); return;
    case 'undefined': feed(6); return;
    case 'object': {
      if (v === null) { feed(7); return; }
      if (Array.isArray(v)) {
        feed(8);
        feed(v.length);
        for (let i = 0; i < v.length; i++) walk(v[i]);
        return;
      }
      feed(9);
      for (const k in v) {
        const x = (v as Record<string, unknown>)[k];
        if (x === undefined) continue; // as JSON: an absent field and an undefined one are the same
        feedString(k);
        walk(x);
      }
      feed(10);
      return;
    }
    default: throw new Error(`internal: a World holds plain data only, found a ${typeof v}`);
  }
}

/**
 * A 53-bit structural hash, fed piece by piece (numbers, strings, plain values) between begin()
 * and end(): equal sequences give equal hashes. One hash at a time.
 */
export const hasher = {
  begin(): void {
    A = 0x9747b28c;
    B = 0x3c6ef372;
  },
  num(v: number): void { walk(v); },
  str(s: string): void { feed(3); feedString(s); },
  value(v: unknown): void { walk(v); },
  end(): number { return 4294967296 * (2097151 & B) + (A >>> 0); },
};

/** The 53-bit structural hash of plain values. */
export function hashPlain(...parts: unknown[]): number {
  hasher.begin();
  for (const p of parts) walk(p);
  return hasher.end();
}

/** A deep copy of plain data. */
export function clonePlain<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = clonePlain(v[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in v) out[k] = clonePlain((v as Record<string, unknown>)[k]);
  return out as T;
}
