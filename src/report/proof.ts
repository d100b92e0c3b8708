/**
 * Text rendering of a proof: exactly what was covered (workloads, bound, states, transitions,
 * executions, the cost per state and per step), never a ✓ for a proof that stopped early.
 */
import type { ProofCheck } from '../check/prove.js';
import { renderCounterexample, type Colors } from './text.js';

const n = (x: number) => x.toLocaleString('en-US');

/** "every workload of ≤ 2 ops on 2 CPUs (37 workloads), every interleaving with ≤ 2 preemptions" */
function covered(r: ProofCheck, bound: number | null): string {
  const s = r.stats;
  return `every workload of ≤ ${s.ops} op(s) per program on ${s.cpus} CPU(s) (${n(s.workloads)} workload${s.workloads === 1 ? '' : 's'}), `
    + `every interleaving with ≤ ${bound} preemption(s)`;
}

function costs(r: ProofCheck): string {
  const s = r.stats;
  const us = (ms: number, per: number) => (per ? `${((ms * 1000) / per).toFixed(1)}` : '-');
  return `${n(s.states)} states, ${n(s.transitions)} transitions, ${n(s.executions)} executions, ${n(s.steps)} steps in ${(s.timeMs / 1000).toFixed(2)} s `
    + `(${us(s.timeMs, s.states)} µs/state, ${us(s.timeMs, s.steps)} µs/step); ${s.search === 'snapshot' ? 'states saved and restored' : "prefixes re-executed, threads' read histories in the state"}`
    + `${s.reduction === 'sleep' ? ', sleep sets' : ''}`;
}

export function renderProof(r: ProofCheck, c: Colors): string[] {
  const s = r.stats;
  const name = `${r.protocol}/${r.variant}${r.buggy ? ' (known-buggy variant)' : ''}`;
  const setting = c.dim(`  kernel preemption model ${s.preempt}; ≤ ${s.envSteps} environment action(s) per execution; livelock after ${s.maxSteps} steps${s.iterative ? `; bounds 0..${s.preemptionBound} in turn` : ''}`);
  const explored = [c.bold(`workloads${s.workloads > s.explored.length ? ` (the first ${s.explored.length} of ${n(s.workloads)})` : ''}:`),
    ...s.explored.flatMap((lines, i) => [`  #${i + 1}`, ...lines.map((l) => `    ${l}`)])];
  if (!r.ok) {
    return [`${c.red('✗')} ${name}: counterexample at preemption bound ${r.bound}`, `  ${costs(r)}`, setting, '', ...renderCounterexample(r, c)];
  }
  if (r.incomplete) {
    const proved = s.bound === null ? 'no bound proved for every workload' : `proved: ${covered(r, s.bound)}`;
    return [`${c.yellow('?')} ${name}: incomplete, ${r.incomplete}; ${proved}; no violation found`, `  ${costs(r)}`, setting, ...explored];
  }
  return [`${c.green('✓')} ${name}: proved: ${covered(r, s.bound)}, no violation`, `  ${costs(r)}`, setting, ...explored];
}
