/** Statechart coverage measured from XState's microstep inspection events. */
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.js';
import type { Protocol } from '../../src/protocol.js';
import { toyProtocol, type ToyExec } from '../helpers/toy.js';

/** Takes the mutex (LOCK then UNLOCK) once, so the spec takes both its transitions. */
const locker = toyProtocol<Record<string, never>>({
  name: 'cov-locker',
  k: () => ({}),
  tasks: () => [{ name: 'A', cpu: 0, *run(x: ToyExec<Record<string, never>>) {
    yield { fn: 'lock', what: 'lock' };
    x.emit({ type: 'LOCK', task: 0 });
    yield { fn: 'unlock', what: 'unlock' };
    x.emit({ type: 'UNLOCK', task: 0 });
  } }],
}) as unknown as Protocol;

/** Never talks to the spec: nothing but the initial states is covered. */
const silent = toyProtocol<Record<string, never>>({
  name: 'cov-silent',
  k: () => ({}),
  tasks: () => [{ name: 'A', cpu: 0, *run() { yield { fn: 'work', what: 'work' }; } }],
}) as unknown as Protocol;


describe('--coverage', () => {
  it('counts states entered, transitions taken and consecutive pairs', () => {
    const r = check({ protocol: locker, runs: 5, seed: 1, coverage: true });
    expect(r.stats.coverage).toMatchObject({
      states: { covered: 3, total: 3, missed: [] },
      transitions: { covered: 2, total: 2, missed: [] },
      pairs: { covered: 1, total: 4 },
    });
  });

  it('names what was not covered', () => {
    const cov = check({ protocol: silent, runs: 5, seed: 1, coverage: true }).stats.coverage!;
    expect(cov.states).toMatchObject({ covered: 2, missed: ['toy-mutex.held'] });
    expect(cov.transitions.covered).toBe(0);
    expect(cov.transitions.missed).toEqual(['toy-mutex.free: LOCK → toy-mutex.held', 'toy-mutex.held: UNLOCK → toy-mutex.free']);
  });

  it('random and pct report the share of DFS-reachable abstract states they hit', () => {
    for (const strategy of ['random', 'pct'] as const) {
      const reach = check({ protocol: locker, runs: 20, seed: 1, coverage: true, strategy }).stats.coverage!.reachable!;
      // free (owner -1) and held by A: UNLOCK returns to the first
      expect(reach).toMatchObject({ dfsStates: 2, complete: true, hit: 2, runs: 20 });
    }
  });
});
