/**
 * The smallest protocol (docs/writing-a-protocol.md): two tasks add 1 to a counter in two steps,
 * a fixed program with no statechart and no workload generator.
 *
 *   npx kcheck run --protocol examples/counter.ts    # ✗ counter/no-lost-update: a 4-step lost update
 */
import { defineInvariant } from 'kcheck';
import { defineProgram, task } from 'kcheck/sim';

interface K { v: number }

export default defineProgram<K>({
  name: 'counter',
  state: () => ({ v: 0 }),
  tasks: () => ['A', 'B'].map((name, cpu) => task<K>(name, cpu, function* (x) {
    yield { fn: 'inc', what: 'read v' };
    const v = x.w.k.v; // a local: part of the state (see the rules in the guide)
    yield { fn: 'inc', what: `v = ${v} + 1` };
    x.w.k.v = v + 1;
  })),
  invariants: [defineInvariant<K>({
    name: 'counter/no-lost-update', description: 'both increments land', final: true,
    check: (w) => (w.k.v === 2 ? null : `v = ${w.k.v}`),
  })],
});
