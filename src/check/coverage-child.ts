/**
 * Child process of `kcheck coverage` (started with NODE_V8_COVERAGE): runs each variant's
 * default check and writes V8's counters after each one (v8.takeCoverage() also resets them).
 * Prints one JSON line per variant: its verdict.
 */
import { takeCoverage } from 'node:v8';
import { check } from './check.js';

const [protocol, seed, ...variants] = process.argv.slice(2);
takeCoverage(); // module loading: not any variant's
for (const variant of variants) {
  const r = check({ protocol: protocol!, variant, seed: Number(seed) });
  process.stdout.write(`${JSON.stringify({ variant, verdict: r.ok ? 'holds' : r.failure.invariant })}\n`);
  takeCoverage();
}
