import { replay } from '../check/check.js';
import { renderCounterexample } from '../report/text.js';
import { EXIT, json, out, stdoutColors, userInvariants } from './shared.js';
import { BadToken, decodeToken } from '../check/token.js';
import { findProtocol, findVariant } from '../protocols.js';

export async function replayCommand(token: string, flags: { json?: boolean; invariants?: string }): Promise<number> {
  const scenario = decodeToken(token); // malformed tokens are bad input before any file is loaded
  const p = findProtocol(scenario.protocol);
  try {
    p.setup(scenario.workload, findVariant(p, scenario.variant), { cpus: scenario.cpus });
  } catch {
    throw new BadToken(`its workload is not a ${p.name} workload`);
  }
  const user = await userInvariants(flags.invariants);
  const r = replay(token, { invariants: [...user.values()].flat() });
  if (flags.json) json(r);
  else if (r.ok) {
    out(`${stdoutColors().green('✓')} ${r.protocol}/${r.variant}: the scenario now holds${r.diverged ? ' (the program no longer follows the recorded schedule; replayed leniently)' : ''}`);
  } else out(renderCounterexample(r, stdoutColors()).join('\n'));
  return r.ok ? EXIT.holds : EXIT.counterexample;
}
