/**
 * The rules of the Informal Trace Format (Apalache ADR-015) as a validator: a trace object with
 * optional #meta, params and loop, `vars` (distinct names) and `states`; every state holds
 * exactly the variables (plus an optional #meta); a value is a boolean, a string, an integer as
 * {"#bigint": "[-][0-9]+"}, a list, a record, or {"#tup"}, {"#set"}, {"#map"} of values, or
 * {"#unserializable": string}. Plain JSON numbers are not ITF values.
 */
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function valueErrors(v: unknown, at: string): string[] {
  if (typeof v === 'boolean' || typeof v === 'string') return [];
  if (typeof v === 'number') return [`${at}: a JSON number (integers are {"#bigint": "..."})`];
  if (Array.isArray(v)) return v.flatMap((x, i) => valueErrors(x, `${at}[${i}]`));
  if (!isObj(v)) return [`${at}: ${String(v)} is not an ITF value`];
  const keys = Object.keys(v);
  const special = keys.filter((k) => k.startsWith('#'));
  if (special.length === 0) return keys.flatMap((k) => valueErrors(v[k], `${at}.${k}`)); // a record
  if (keys.length !== 1) return [`${at}: ${special[0]} must be the only field`];
  const [k] = keys as [string];
  const x = v[k];
  switch (k) {
    case '#bigint': return typeof x === 'string' && /^-?[0-9]+$/.test(x) ? [] : [`${at}: #bigint must be a string of digits`];
    case '#tup': case '#set': return Array.isArray(x) ? x.flatMap((y, i) => valueErrors(y, `${at}${k}[${i}]`)) : [`${at}: ${k} must be a list`];
    case '#map': return Array.isArray(x) && x.every((p) => Array.isArray(p) && p.length === 2) ? x.flatMap((p, i) => [...valueErrors(p[0], `${at}#map[${i}].key`), ...valueErrors(p[1], `${at}#map[${i}].value`)]) : [`${at}: #map must be a list of [key, value]`];
    case '#unserializable': return typeof x === 'string' ? [] : [`${at}: #unserializable must be a string`];
    default: return [`${at}: unknown ${k}`];
  }
}

export function itfErrors(t: unknown): string[] {
  if (!isObj(t)) return ['a trace is an object'];
  const errors: string[] = [];
  for (const k of Object.keys(t)) if (!['#meta', 'params', 'vars', 'states', 'loop'].includes(k)) errors.push(`unknown top-level field ${k}`);
  if (t['#meta'] !== undefined && !isObj(t['#meta'])) errors.push('#meta must be an object');
  if (t.loop !== undefined && !Number.isInteger(t.loop)) errors.push('loop must be an integer');
  const vars = t.vars;
  if (!Array.isArray(vars) || !vars.every((v) => typeof v === 'string')) return [...errors, 'vars must be a list of names'];
  if (new Set(vars).size !== vars.length) errors.push('vars must be distinct');
  if (!Array.isArray(t.states)) return [...errors, 'states must be a list'];
  t.states.forEach((s, i) => {
    if (!isObj(s)) { errors.push(`states[${i}] must be an object`); return; }
    if (s['#meta'] !== undefined && !isObj(s['#meta'])) errors.push(`states[${i}].#meta must be an object`);
    const meta = s['#meta'] as { index?: unknown } | undefined;
    if (meta?.index !== undefined && meta.index !== i) errors.push(`states[${i}].#meta.index is ${String(meta.index)}`);
    for (const v of vars) if (!(v in s)) errors.push(`states[${i}] lacks ${v}`);
    for (const k of Object.keys(s)) {
      if (k === '#meta') continue;
      if (!vars.includes(k)) errors.push(`states[${i}] has ${k}, which is not in vars`);
      else errors.push(...valueErrors(s[k], `states[${i}].${k}`));
    }
  });
  return errors;
}
