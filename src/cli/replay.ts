import { replay } from '../check/check.js';
import { renderCounterexample } from '../report/text.js';
import { EXIT, json, out, stdoutColors, userInvariants } from './shared.js';
import { decodeToken } from '../check/token.js';

export async function replayCommand(token: string, flags: { json?: boolean; invariants?: string }): Promise<number> {
  decodeToken(token); // malformed tokens are bad input before any file is loaded
  const user = await userInvariants(flags.invariants);
  const r = replay(token, { invariants: [...user.values()].flat() });
  if (flags.json) json(r);
  else if (r.ok) {
    out(`${stdoutColors().green('✓')} ${r.protocol}/${r.variant}: the scenario now holds${r.diverged ? ' (the program no longer follows the recorded schedule; replayed leniently)' : ''}`);
  } else out(renderCounterexample(r, stdoutColors()).join('\n'));
  return r.ok ? EXIT.holds : EXIT.counterexample;
}
