/**
 * The README's API example: find a counterexample for a known-buggy kmap variant, replay its
 * token, and check the correct variant. Run it from the repository (after `npm ci`, which builds
 * dist/) or from a project that installed kcheck:
 *
 *   npx jiti examples/api.ts
 *
 * (tests import findAndReplay() from it; run directly, it prints what it found.)
 */
import { fileURLToPath } from 'node:url';
import { assert, check, replay } from 'kcheck';

export function findAndReplay() {
  const r = check({ protocol: 'kmap', variant: 'M-B5', runs: 2000, seed: 1 });
  if (r.ok) throw new Error('M-B5 should fail');
  const again = replay(r.token); // the same failure, step for step
  assert({ protocol: 'kmap', runs: 500 }); // the correct variant: throws a rendered report if it fails
  return { first: r, again };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { first, again } = findAndReplay();
  console.log(`kmap/M-B5: ${first.failure.invariant} (${first.failure.kind}) after ${first.steps} steps`);
  console.log(`replay: ${again.verdict}, the same failure: ${again.verdict === 'counterexample' && again.failure.message === first.failure.message}`);
  console.log(`npx kcheck replay ${first.token}`);
}
