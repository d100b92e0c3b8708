/**
 * What a step read and wrote, recorded through a proxy of the World that kernel code sees (it
 * reaches the World only through `x.w`). Two uses:
 *  - observation history, for sound state merging: a thread keeps state in generator locals
 *    (`const vaddr = ...` across a yield), and those locals are a deterministic function of its
 *    program and of the values its reads returned, in order. The hash of that sequence stands
 *    for what the generator holds, so two states merge only when every thread saw the same
 *    values (DESIGN.md: "thread state is part of the state");
 *  - footprints, for partial-order reduction: which parts of the World a step touched. Keys are
 *    access paths cut to three segments ("k.pkmap_count.3", "tasks.2.state"); two keys overlap
 *    when one is a prefix of the other.
 * The World must be plain data without aliasing (the fingerprint serialises it as JSON too).
 */
import type { World } from '../sim/world.js';

export interface Footprint { reads: string[]; writes: string[] }

/** A key that overlaps everything: for steps whose effect cannot be attributed. */
export const EVERYTHING = '*';

const DEPTH = 3;

const overlaps = (a: string, b: string) =>
  a === b || a === EVERYTHING || b === EVERYTHING || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

const touches = (keys: readonly string[], fp: Footprint) =>
  keys.some((k) => fp.reads.some((r) => overlaps(k, r)) || fp.writes.some((w) => overlaps(k, w)));

/** Two steps are dependent when one writes what the other reads or writes. */
export function dependent(a: Footprint, b: Footprint): boolean {
  return touches(a.writes, b) || touches(b.writes, a);
}

/** Mixes a 32-bit value into a running hash (murmur3's mixing steps). */
export function mix(h: number, v: number): number {
  let k = Math.imul(v | 0, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

export function mixString(h: number, s: string): number {
  h = mix(h, s.length);
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return h;
}

/** One observed value: what a read returned, as far as code can branch on it. */
function mixValue(h: number, v: unknown): number {
  switch (typeof v) {
    case 'number': return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? mix(mix(h, 1), v) : mixString(mix(h, 2), String(v));
    case 'string': return mixString(mix(h, 3), v);
    case 'boolean': return mix(h, v ? 4 : 5);
    case 'undefined': return mix(h, 6);
    case 'bigint': return mixString(mix(h, 7), String(v));
    default: return mix(h, v === null ? 8 : Array.isArray(v) ? 9 : 10); // an object: only that it is there
  }
}

export interface RecorderOptions {
  /** hash what each step reads (exhaustive search) */
  history?: boolean;
  /** keep each step's footprint (partial-order reduction) */
  footprints?: boolean;
}

export class Recorder {
  private on = false;
  private hash = 0;
  private readonly reads = new Set<string>();
  private readonly writes = new Set<string>();
  /** footprints of the steps since the last drain(), oldest first */
  private steps: Footprint[] = [];
  private readonly proxies = new WeakMap<object, object>();

  constructor(readonly o: RecorderOptions) {}

  /** The world as kernel code sees it: every access inside a step is recorded. */
  wrap<K>(w: World<K>): World<K> {
    return this.proxy(w, '', 0) as World<K>;
  }

  begin(): void {
    this.on = true;
    this.hash = 0;
  }

  /** Accesses the engine makes on a step's behalf (footprints only). */
  read(key: string): void { if (this.o.footprints) this.reads.add(key); }
  write(key: string): void { if (this.o.footprints) this.writes.add(key); }

  /** Ends a step; returns the hash of the values it read, in order. */
  end(): number {
    this.on = false;
    if (this.o.footprints) {
      this.steps.push({ reads: [...this.reads], writes: [...this.writes] });
      this.reads.clear();
      this.writes.clear();
    }
    return this.hash;
  }

  /** The hash of what the current step has read so far. */
  current(): number { return this.hash; }

  drain(): Footprint[] {
    const s = this.steps;
    this.steps = [];
    return s;
  }

  /** `leaf`: the value itself was read (reaching an object on the way to a field is not a read of it) */
  private observe(key: string, v: unknown, leaf: boolean): void {
    if (this.o.history) this.hash = mixValue(this.hash, v);
    if (leaf && this.o.footprints) this.reads.add(key);
  }

  private proxy(target: object, path: string, depth: number): object {
    const known = this.proxies.get(target);
    if (known) return known;
    const key = (p: string | symbol) => (depth >= DEPTH || typeof p === 'symbol' ? path : path ? `${path}.${p}` : p);
    const p = new Proxy(target, {
      get: (t, prop, recv) => {
        const v = Reflect.get(t, prop, recv);
        if (typeof prop === 'symbol' || typeof v === 'function') return v;
        const obj = v !== null && typeof v === 'object';
        if (this.on) this.observe(key(prop), v, !obj);
        return obj ? this.proxy(v, key(prop), depth + 1) : v;
      },
      set: (t, prop, v, recv) => {
        if (this.on && this.o.footprints) this.writes.add(key(prop));
        return Reflect.set(t, prop, v, recv);
      },
      deleteProperty: (t, prop) => {
        if (this.on && this.o.footprints) this.writes.add(key(prop));
        return Reflect.deleteProperty(t, prop);
      },
      has: (t, prop) => {
        const r = Reflect.has(t, prop);
        if (this.on && typeof prop !== 'symbol') this.observe(key(prop), r, true);
        return r;
      },
      ownKeys: (t) => {
        const keys = Reflect.ownKeys(t);
        if (this.on) this.observe(path || EVERYTHING, keys.filter((k) => typeof k === 'string').join(','), true);
        return keys;
      },
    });
    this.proxies.set(target, p);
    return p;
  }
}
