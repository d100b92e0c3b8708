/**
 * Tiny hand-written protocols for engine tests: a few lines of kernel-like code per thread, a
 * two-state mutex statechart as the spec. Tests pass the protocol object to check().
 */
import * as fc from 'fast-check';
import { assign, setup } from 'xstate';
import { defineProtocol, type Exec, type Gen, type Invariant, type IrqProgram, type Protocol, type TaskProgram, type Variant } from '../../src/index.js';

export type ToyEvent = { type: 'LOCK'; task: number } | { type: 'UNLOCK'; task: number };

/**
 * The spec of a mutex: LOCK only when free, UNLOCK only when held. Every accepted event changes
 * the snapshot (the engine reads "same snapshot back" as a refusal).
 */
export const mutexSpec = setup({
  types: { context: {} as { owner: number }, events: {} as ToyEvent },
}).createMachine({
  id: 'toy-mutex',
  initial: 'free',
  context: { owner: -1 },
  states: {
    free: { on: { LOCK: { target: 'held', actions: assign({ owner: ({ event }) => event.task }) } } },
    held: {
      on: {
        UNLOCK: { guard: ({ context, event }) => context.owner === event.task, target: 'free', actions: assign({ owner: -1 }) },
      },
    },
  },
});

export type ToyExec<K> = Exec<K, ToyEvent>;

export interface ToySpec<K, W> {
  name: string;
  /** fresh kernel state for one execution */
  k: (wl: W, variant: Variant) => K;
  tasks: (wl: W, variant: Variant) => TaskProgram<K, ToyEvent>[];
  irqs?: (wl: W, variant: Variant) => IrqProgram<K, ToyEvent>[];
  invariants?: Invariant<K>[];
  /** default: a constant workload */
  workload?: fc.Arbitrary<W>;
  /** default: one correct variant 'default' */
  variants?: Variant[];
  /** default: '<name>/mutex' */
  refusal?: string;
}

export function variant(name: string, buggy = false, config: unknown = {}, expect?: string): Variant {
  return { name, buggy, description: name, source: 'test', config, ...(expect ? { expect } : {}) };
}

export function toyProtocol<K, W = null>(s: ToySpec<K, W>): Protocol<K, ToyEvent, W> {
  return defineProtocol({
    name: s.name,
    description: `test protocol ${s.name}`,
    machine: mutexSpec,
    variants: s.variants ?? [variant('default')],
    invariants: s.invariants ?? [],
    workload: () => s.workload ?? (fc.constant(null) as unknown as fc.Arbitrary<W>),
    setup: (wl, v) => ({ k: s.k(wl, v), tasks: s.tasks(wl, v), irqs: s.irqs?.(wl, v) ?? [], hooks: {}, specInput: undefined }),
    refusal: () => s.refusal ?? `${s.name}/mutex`,
  }) as Protocol<K, ToyEvent, W>;
}

/** A thread body that only yields: `n` steps that touch nothing. */
export function* idle(n: number, fn = 'work'): Gen {
  for (let i = 0; i < n; i++) yield { fn, what: `step ${i}` };
}
