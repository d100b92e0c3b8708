/**
 * A counterexample as an ITF trace (the Informal Trace Format of Apalache and Quint, ADR-015):
 * `vars` names the state variables, `states` gives each one's value after every step (state 0 is
 * the start). The variables are the step that led to the state (`step`, `cpu`, `unit`, `action`,
 * the spec events it reported) and every value the protocol observes (task states, locks, the
 * protocol's observe()). Integers are {"#bigint": "…"}, as the format prescribes for any size.
 */
import type { Counterexample } from '../check/check.js';

export type ItfValue = boolean | string | { '#bigint': string } | ItfValue[] | { [field: string]: ItfValue };

export interface ItfTrace {
  '#meta': Record<string, unknown>;
  vars: string[];
  states: { '#meta': { index: number }; [name: string]: ItfValue | { index: number } }[];
}

const int = (n: number): ItfValue => ({ '#bigint': String(Math.trunc(n)) });

/** An observed value (a string in the trace) as the ITF value it denotes. */
function value(s: string): ItfValue {
  if (/^-?\d+$/.test(s)) return int(Number(s));
  if (s === 'true' || s === 'false') return s === 'true';
  return s;
}

/** "pkmap_count[1]: 0 → 1" as [name, before, after]. */
function change(line: string): [string, string, string] | null {
  const m = /^(.*): (.*) → (.*)$/.exec(line);
  return m ? [m[1]!, m[2]!, m[3]!] : null;
}

export function itfTrace(cx: Counterexample): ItfTrace {
  const observed: string[] = [];
  const initial = new Map<string, string>();
  for (const s of cx.trace) {
    for (const c of s.changes.map(change)) {
      if (!c || initial.has(c[0])) continue;
      observed.push(c[0]);
      initial.set(c[0], c[1]);
    }
  }
  const current = new Map(initial);
  const absent = '∅';
  const obs = () => Object.fromEntries(observed.map((k) => [k, value(current.get(k) ?? absent)]));
  const states: ItfTrace['states'] = [{ '#meta': { index: 0 }, step: int(-1), cpu: int(-1), unit: 'init', action: 'init', spec: [], ...obs() }];
  for (const s of cx.trace) {
    for (const c of s.changes.map(change)) if (c) current.set(c[0], c[2]);
    states.push({ '#meta': { index: states.length }, step: int(s.i), cpu: int(s.cpu), unit: s.ctx, action: `${s.fn}: ${s.what}`, spec: s.spec, ...obs() });
  }
  const f = cx.failure;
  return {
    '#meta': {
      format: 'ITF',
      'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
      source: `kcheck ${cx.scenario.protocol}/${cx.scenario.variant}`,
      description: `${f.invariant} violated after step ${f.step}: ${f.message}`,
      status: 'violation',
      replay: `npx kcheck replay ${cx.token}`,
    },
    vars: ['step', 'cpu', 'unit', 'action', 'spec', ...observed],
    states,
  };
}
