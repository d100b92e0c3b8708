import { kernelInvariants } from '../../properties/kernel.js';
import { json, out, stdoutColors } from './shared.js';
import { loadWorkspace, type WorkspaceFlags } from './workspace.js';

/** What the engine checks for every protocol, besides the protocol's own invariants. */
const EVERY_PROTOCOL = [
  ...kernelInvariants.map((i) => ({ name: i.name, description: i.description, checked: 'after every step' })),
  { name: 'kernel/progress', description: 'every thread finishes: no deadlock (nothing can run), no livelock (the step budget runs out)', checked: 'by the engine' },
  { name: 'kernel/BUG', description: 'the kernel never hits a BUG()', checked: 'by the engine' },
];

export async function listCommand(opts: WorkspaceFlags & { json?: boolean }): Promise<number> {
  const ws = await loadWorkspace(opts);
  const data = {
    everyProtocol: EVERY_PROTOCOL,
    protocols: ws.registry.protocols.map((p) => ({
      name: p.name,
      ...(ws.user.includes(p.name) ? { file: ws.sources(p.name)[0]!.path } : {}),
      description: p.description,
      variants: p.variants.map((v) => ({
        name: v.name, buggy: v.buggy, description: v.description, source: v.source,
        ...(v.expect ? { expect: v.expect } : {}),
        ...(v.alsoCaughtBy ? { alsoCaughtBy: v.alsoCaughtBy } : {}),
      })),
      invariants: [...p.invariants, ...ws.invariants(p.name)].map((i) => ({
        name: i.name, description: i.description,
        checked: i.check ? (i.final ? 'at the end' : 'after every step') : 'by the statechart',
      })),
    })),
  };
  if (opts.json) {
    json(data);
    return 0;
  }
  const c = stdoutColors();
  out(`${c.bold('every protocol')}: what the engine checks besides each protocol's own invariants`);
  for (const i of EVERY_PROTOCOL) out(`    ${c.bold(i.name)} ${c.dim(`(${i.checked})`)}: ${i.description}`);
  for (const p of data.protocols) {
    out(`${c.bold(p.name)}: ${p.description}${p.file ? c.dim(` (from ${p.file})`) : ''}`);
    out(c.bold('  variants'));
    for (const v of p.variants) {
      out(`    ${v.buggy ? c.red('buggy  ') : c.green('correct')} ${c.bold(v.name)}: ${v.description}`);
      out(c.dim(`            source: ${v.source}${v.expect ? `; caught by ${[v.expect, ...(v.alsoCaughtBy ?? [])].join(' or ')}` : ''}`));
    }
    out(c.bold('  invariants'));
    for (const i of p.invariants) out(`    ${c.bold(i.name)} ${c.dim(`(${i.checked})`)}: ${i.description}`);
  }
  return 0;
}
