/**
 * Mermaid diagrams: a counterexample as a sequence diagram (one participant per CPU and one for
 * the statechart; each step a message from its CPU, the values it changed as notes, spec events
 * as messages to the statechart, a preemption marked over the lanes, the violation at the end),
 * and a protocol's statechart as a state diagram (kcheck diagram PROTOCOL).
 */
import type { AnyStateMachine } from 'xstate';
import type { Counterexample } from '../check/check.js';

/** Text Mermaid reads literally: '#' and ';' as entity codes, line breaks as <br/>. */
export function mermaidText(s: string): string {
  return s.replace(/#/g, '#35;').replace(/;/g, '#59;').replace(/\n/g, '<br/>');
}

export function sequenceDiagram(cx: Counterexample): string {
  const cpus = cx.scenario.cpus;
  const lines = ['sequenceDiagram'];
  for (let c = 0; c < cpus; c++) lines.push(`  participant cpu${c} as CPU ${c}`);
  lines.push(`  participant spec as statechart ${mermaidText(cx.scenario.protocol)}`);
  lines.push(`  Note over cpu0,spec: ${mermaidText(`${cx.scenario.protocol}/${cx.scenario.variant}: ${cx.workload.join(' | ')}`)}`);
  for (const s of cx.trace) {
    const me = `cpu${s.cpu}`;
    if (s.preempted) lines.push(`  Note over ${me}: ⇄ preemption`);
    lines.push(`  ${me}->>${me}: ${mermaidText(`${s.i}. ${s.ctx} ${s.fn}: ${s.what}`)}`);
    if (s.changes.length) lines.push(`  Note right of ${me}: ${mermaidText(s.changes.join('\n'))}`);
    for (const ev of s.spec) {
      const refused = cx.failure.kind === 'spec-refused' && s.i === cx.failure.step && ev === s.spec[s.spec.length - 1];
      lines.push(`  ${me}${refused ? '-x' : '->>'}spec: ${mermaidText(refused ? `${ev} refused` : ev)}`);
    }
    for (const w of s.warnings) lines.push(`  Note right of ${me}: ${mermaidText(w)}`);
  }
  const f = cx.failure;
  lines.push(`  Note over cpu0,spec: ${mermaidText(`✗ ${f.invariant} violated after step ${f.step}: ${f.message}`)}`);
  return `${lines.join('\n')}\n`;
}

interface Node { key: string; path: string[]; type: string; initial?: { target: Node[] }; states: Record<string, Node>; transitions: Map<string, Transition[]>; always?: Transition[] }
interface Transition { eventType: string; target?: Node[]; guard?: unknown }

const guardName = (g: unknown) => (typeof g === 'string' ? g : (g as { type?: string } | undefined)?.type);

/** A statechart as a Mermaid state diagram: nested states, initial states, every transition with its event and guard. */
export function stateDiagram(machine: AnyStateMachine): string {
  const idOf = (n: Node) => n.path.join('__').replace(/[^A-Za-z0-9_]/g, '_') || 'root';
  const lines = ['stateDiagram-v2'];
  const walk = (n: Node, indent: string) => {
    const init = n.initial?.target?.[0];
    if (init) lines.push(`${indent}[*] --> ${idOf(init)}`);
    Object.values(n.states).forEach((c, i) => {
      // the regions of a parallel state run at once: Mermaid separates them with --
      if (n.type === 'parallel' && i > 0) lines.push(`${indent}--`);
      const id = idOf(c);
      lines.push(`${indent}state "${mermaidText(c.key)}" as ${id}`);
      if (Object.keys(c.states).length) {
        lines.push(`${indent}state ${id} {`);
        walk(c, `${indent}  `);
        lines.push(`${indent}}`);
      }
      if (c.type === 'final') lines.push(`${indent}${id} --> [*]`);
      for (const t of [...c.transitions.values()].flat().concat(c.always ?? [])) {
        const guard = guardName(t.guard);
        const label = mermaidText(`${t.eventType || '(always)'}${guard ? ` [${guard}]` : ''}`);
        for (const to of t.target?.length ? t.target : [c]) lines.push(`${indent}${id} --> ${idOf(to)} : ${label}`);
      }
    });
  };
  const root = machine.root as unknown as Node;
  if (root.type === 'parallel') {
    lines.push(`  state "${mermaidText(machine.id)} (parallel regions)" as root {`);
    walk(root, '    ');
    lines.push('  }');
  } else walk(root, '  ');
  return `${lines.join('\n')}\n`;
}
