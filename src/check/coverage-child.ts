/**
 * Child process of `kcheck coverage` (started with NODE_V8_COVERAGE): runs each variant's
 * default check (or a given number of runs) and writes V8's counters after each one (v8.takeCoverage() also resets them).
 * Prints one JSON line per variant: its verdict.
 */
import { takeCoverage } from 'node:v8';
import { check } from './check.js';

const [protocol, seed, runs, ...variants] = process.argv.slice(2);
takeCoverage(); // module loading: not any variant's
for (const variant of variants) {
  // runs 0: the default run's budget
  const r = check({ protocol: protocol!, variant, seed: Number(seed), ...(Number(runs) > 0 ? { runs: Number(runs) } : {}) });
  process.stdout.write(`${JSON.stringify({ variant, verdict: r.ok ? 'holds' : r.failure.invariant })}\n`);
  takeCoverage();
}
