/**
 * The README's API example: find a counterexample for a known-buggy kmap variant, then replay
 * its token. Run: npx tsc -p . && node --experimental-strip-types examples/api.ts (or via tests).
 */
import { assert, check, replay } from 'kcheck';

export function findAndReplay() {
  const r = check({ protocol: 'kmap', variant: 'M-B5', runs: 2000, seed: 1 });
  if (r.ok) throw new Error('M-B5 should fail');
  console.log(r.failure.invariant, r.failure.kind, r.steps, r.token);
  const again = replay(r.token); // the same failure, step for step
  assert({ protocol: 'kmap', runs: 500 }); // the correct variant: throws a rendered report if it fails
  return { first: r, again };
}
