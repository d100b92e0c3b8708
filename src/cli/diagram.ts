/** kcheck diagram PROTOCOL: the protocol's statechart as a Mermaid state diagram. */
import { stateDiagram } from '../report/mermaid.js';
import { EXIT } from './shared.js';
import { loadWorkspace, type WorkspaceFlags } from './workspace.js';

export async function diagramCommand(name: string, flags: WorkspaceFlags): Promise<number> {
  const ws = await loadWorkspace(flags);
  process.stdout.write(stateDiagram(ws.registry.find(name).machine));
  return EXIT.holds;
}
