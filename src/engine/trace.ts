/**
 * Trace recording: the named values a step changed (task states, locks, and the protocol's
 * observe()), and spec events printed with task names.
 */
import type { Protocol } from '../protocol.js';
import type { World } from '../sim/world.js';

const TASK_FIELDS = new Set(['task', 'parent', 'child']);

export function observe<K>(w: World<K>, protocol: Protocol<K, any>): Record<string, string> {
  const o: Record<string, string> = {};
  for (const t of w.tasks) if (!t.idle) o[`${t.name}.state`] = t.state;
  o['locks'] = Object.keys(w.locks).join(',') || '-';
  const p = protocol.observe?.(w) ?? {};
  for (const k in p) o[k] = String(p[k]);
  return o;
}

export function diff(a: Record<string, string>, b: Record<string, string>): string[] {
  const out: string[] = [];
  for (const k in b) if (a[k] !== b[k]) out.push(`${k}: ${a[k] ?? '∅'} → ${b[k]}`);
  for (const k in a) if (!(k in b)) out.push(`${k}: ${a[k]} → ∅`);
  return out;
}

/** "KMAP_LOCAL(task=A, page=0)": task ids in the conventional fields print as task names. */
export function eventName<K>(w: World<K>, e: unknown): string {
  const { type, ...rest } = e as { type: string };
  const taskName = (k: string, v: unknown) => (TASK_FIELDS.has(k) && typeof v === 'number' ? w.tasks[v]?.name ?? v : v);
  const args = Object.entries(rest).map(([k, v]) => `${k}=${taskName(k, v)}`).join(', ');
  return `${type}(${args})`;
}
