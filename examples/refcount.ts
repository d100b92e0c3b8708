/**
 * A worked example of a protocol written as a user of kcheck (docs/writing-a-protocol.md): an
 * object with a reference count that is released when the count drops to zero (kref_put(),
 * include/linux/kref.h, v6.8: `if (refcount_dec_and_test(&kref->refcount)) release(kref)`).
 *
 *   npx kcheck run --protocol examples/refcount.ts                       # the correct variant holds
 *   npx kcheck run --protocol examples/refcount.ts --variant dec-then-read  # a counterexample
 *   npx kcheck audit --protocol examples/refcount.ts --seed 1            # both verdicts as expected
 *
 * The owner creates the object with one reference and hands a reference to each user task
 * (kref_get() before the task starts, as a caller must); every task uses the object, then drops
 * its reference. Abstraction: the object is one flag (alive) and the use a single read; memory
 * reuse after the free is not modelled, the statechart says when a use is legal.
 */
import * as fc from 'fast-check';
import { assign, setup } from 'xstate';
import { defineInvariant, defineProtocol, type Variant } from 'kcheck';
import { atomic_dec, atomic_dec_and_test, atomic_read, type Atomic, type Exec, type Gen } from 'kcheck/sim';

/** The shared state of one execution: plain JSON data, reached only through x.w.k. */
interface Obj {
  refcount: Atomic;
  alive: boolean;
  /** kfree() calls on the object: the final check wants exactly one */
  frees: number;
}

/** The events the code reports at each operation's linearization point. */
type RefEvent = { type: 'GET' } | { type: 'PUT' } | { type: 'USE' } | { type: 'RELEASE' };

/**
 * The spec: how many references are held, and whether the object still exists. A use needs a
 * live object, a put needs a reference, and release happens exactly once, when none is left.
 * Every accepted event changes the snapshot (the engine reads "the same snapshot back" as a
 * refusal), which is why USE counts the uses.
 */
export const refcountMachine = setup({
  types: { context: {} as { refs: number; uses: number }, events: {} as RefEvent, input: {} as { refs: number } },
  guards: {
    held: ({ context }) => context.refs > 0,
    lastGone: ({ context }) => context.refs === 0,
  },
}).createMachine({
  id: 'refcount',
  context: ({ input }) => ({ refs: input.refs, uses: 0 }),
  initial: 'alive',
  states: {
    alive: {
      on: {
        GET: { guard: 'held', actions: assign({ refs: ({ context }) => context.refs + 1 }) },
        PUT: { guard: 'held', actions: assign({ refs: ({ context }) => context.refs - 1 }) },
        USE: { guard: 'held', actions: assign({ uses: ({ context }) => context.uses + 1 }) },
        RELEASE: { guard: 'lastGone', target: 'released' },
      },
    },
    released: {},
  },
});

type X = Exec<Obj, RefEvent>;
interface Config { put: 'dec-and-test' | 'dec-then-read' }

/** release(): the last reference is gone. */
function release(x: X): void {
  x.w.k.alive = false;
  x.w.k.frees++;
  x.emit({ type: 'RELEASE' });
}

/** kref_put(): drop a reference; the one who drops the last releases. */
function* kref_put(x: X, c: Config): Gen {
  if (c.put === 'dec-and-test') {
    // one atomic step: exactly one caller sees the count reach zero
    const last = yield* atomic_dec_and_test(x, x.w.k.refcount, 'kref_put', 'refcount');
    x.emit({ type: 'PUT' });
    if (last) release(x);
    return;
  }
  // the racy variant: decrement, then read the count back in a second step. Two callers that
  // both decrement before either reads see 0 and both release
  yield* atomic_dec(x, x.w.k.refcount, 'kref_put', 'refcount');
  x.emit({ type: 'PUT' });
  if ((yield* atomic_read(x, x.w.k.refcount, 'kref_put', 'refcount')) === 0) release(x);
}

/** A user: use the object (one read), then drop the reference it was given. */
function* user(x: X, c: Config, uses: number): Gen {
  for (let i = 0; i < uses; i++) {
    yield { fn: 'use_object', what: 'read the object' };
    x.emit({ type: 'USE' });
  }
  yield* kref_put(x, c);
}

const variants: Variant<Config>[] = [
  { name: 'dec-and-test', buggy: false, description: 'kref_put(): refcount_dec_and_test(), release on zero', source: 'include/linux/kref.h (v6.8)', config: { put: 'dec-and-test' } },
  {
    name: 'dec-then-read', buggy: true, description: 'decrement, then read the count in a second step: two puts can both see zero and release twice',
    source: 'the classic misuse kref.h guards against (Documentation/core-api/kref.rst)', config: { put: 'dec-then-read' }, expect: 'refcount/released-once',
  },
];

/** The workload: how many tasks hold a reference (the owner included) and how often each uses it. */
interface Workload { users: number; uses: number }

export default defineProtocol({
  name: 'refcount',
  description: 'an object released when its last reference is dropped (kref)',
  machine: refcountMachine,
  variants,
  invariants: [
    defineInvariant({ name: 'refcount/use-while-held', description: 'the object is only used while the user holds a reference (checked by the statechart)' }),
    defineInvariant({ name: 'refcount/released-once', description: 'the object is released exactly once, when its last reference is dropped (checked by the statechart)' }),
    defineInvariant<Obj>({
      name: 'refcount/freed-at-end', description: 'when every task has finished, the object has been freed exactly once', final: true,
      check: (w) => (w.k.frees === 1 ? null : `the object was freed ${w.k.frees} times`),
    }),
  ],
  workload: ({ cpus }) => fc.record({ users: fc.integer({ min: 2, max: Math.max(2, cpus + 1) }), uses: fc.integer({ min: 0, max: 2 }) }),
  setup: (wl: Workload, v, { cpus }) => ({
    // every reference is taken (kref_get) before the task that drops it starts
    k: { refcount: { counter: wl.users }, alive: true, frees: 0 },
    tasks: Array.from({ length: wl.users }, (_, i) => ({ name: String.fromCharCode(65 + i), cpu: i % cpus, run: (x: X) => user(x, v.config, wl.uses) })),
    irqs: [],
    hooks: {},
    specInput: { refs: wl.users },
  }),
  refusal: (e: RefEvent) => (e.type === 'RELEASE' ? 'refcount/released-once' : 'refcount/use-while-held'),
  observe: (w) => ({ refcount: w.k.refcount.counter, alive: w.k.alive }),
  describe: (wl: Workload) => [`${wl.users} tasks, each holding a reference: use the object ${wl.uses} time(s), then kref_put()`],
});
