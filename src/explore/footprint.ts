/**
 * Footprints for the partial-order reduction: which parts of the World a step read and wrote.
 * Kernel code reaches the World only through `x.w`, so in reduction mode the engine hands kernel
 * code a recording proxy and adds what it touches itself (the CPU, task states, locks, the spec).
 * Keys are access paths cut to three segments ("k.pkmap_count.3", "tasks.2.state",
 * "cpus.1"); two keys overlap when one is a prefix of the other.
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

export class FootprintRecorder {
  private reads = new Set<string>();
  private writes = new Set<string>();
  private on = false;
  /** footprints of the steps since the last drain(), oldest first */
  private steps: Footprint[] = [];
  private readonly proxies = new WeakMap<object, object>();

  /** The world as kernel code sees it: every access inside a step is recorded. */
  wrap<K>(w: World<K>): World<K> {
    return this.proxy(w, '', 0) as World<K>;
  }

  begin(): void {
    this.on = true;
  }

  read(key: string): void { this.reads.add(key); }
  write(key: string): void { this.writes.add(key); }

  end(): void {
    this.on = false;
    this.steps.push({ reads: [...this.reads], writes: [...this.writes] });
    this.reads.clear();
    this.writes.clear();
  }

  drain(): Footprint[] {
    const s = this.steps;
    this.steps = [];
    return s;
  }

  private proxy(target: object, path: string, depth: number): object {
    const known = this.proxies.get(target);
    if (known) return known;
    const key = (p: string | symbol) => (depth >= DEPTH || typeof p === 'symbol' ? path : path ? `${path}.${p}` : p);
    const p = new Proxy(target, {
      get: (t, prop, recv) => {
        const v = Reflect.get(t, prop, recv);
        if (typeof prop === 'symbol' || typeof v === 'function') return v;
        const k = key(prop);
        if (v !== null && typeof v === 'object') return this.proxy(v, k, depth + 1);
        if (this.on) this.reads.add(k);
        return v;
      },
      set: (t, prop, v, recv) => {
        if (this.on) this.writes.add(key(prop));
        return Reflect.set(t, prop, v, recv);
      },
      deleteProperty: (t, prop) => {
        if (this.on) this.writes.add(key(prop));
        return Reflect.deleteProperty(t, prop);
      },
      has: (t, prop) => {
        if (this.on) this.reads.add(key(prop));
        return Reflect.has(t, prop);
      },
      ownKeys: (t) => {
        if (this.on) this.reads.add(path || EVERYTHING);
        return Reflect.ownKeys(t);
      },
    });
    this.proxies.set(target, p);
    return p;
  }
}
