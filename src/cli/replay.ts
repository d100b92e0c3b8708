import { replay, resolveProtocol } from '../check/check.js';
import { BadToken, decodeToken } from '../check/token.js';
import { findVariant } from '../registry.js';
import { replayHtml } from '../report/html.js';
import { itfTrace } from '../report/itf.js';
import { sequenceDiagram } from '../report/mermaid.js';
import { renderReplay } from '../report/text.js';
import { EXIT, json, out, reporterOf, stdoutColors, type ReporterName } from './shared.js';
import { tokenWorkspace, type WorkspaceFlags } from './workspace.js';

export interface ReplayFlags extends WorkspaceFlags { json?: boolean; reporter?: ReporterName }

/**
 * Exit 1 when the scenario fails (the identical report when it follows its schedule), 0 when it
 * replayed to its end and holds, 3 when the program no longer follows the recorded schedule and
 * the lenient replay found nothing: that shows nothing, so it is never reported as holding.
 */
export async function replayCommand(token: string, flags: ReplayFlags): Promise<number> {
  const scenario = decodeToken(token); // malformed tokens are bad input before any file is loaded
  const { workspace: ws, notes } = await tokenWorkspace(scenario.files ?? [], flags);
  const p = resolveProtocol(scenario.protocol, ws.registry);
  try {
    p.setup(scenario.workload, findVariant(p, scenario.variant), { cpus: scenario.cpus });
  } catch {
    throw new BadToken(`its workload is not a ${p.name} workload`);
  }
  for (const n of notes) process.stderr.write(`kcheck: note: ${n}\n`);
  const r = replay(token, { registry: ws.registry, invariants: ws.invariants(p.name) });
  const reporter = reporterOf(flags);
  if (reporter === 'json') json({ ...r, notes });
  else if (reporter === 'mermaid' && r.verdict === 'counterexample') process.stdout.write(sequenceDiagram(r));
  else if (reporter === 'itf' && r.verdict === 'counterexample') json(itfTrace(r));
  else if (reporter === 'html' && r.verdict === 'counterexample') process.stdout.write(replayHtml(r));
  else out(renderReplay(r, stdoutColors()).join('\n'));
  return r.verdict === 'holds' ? EXIT.holds : r.verdict === 'diverged' ? EXIT.incomplete : EXIT.counterexample;
}
