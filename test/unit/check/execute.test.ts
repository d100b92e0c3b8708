/**
 * The engine on tiny hand-written protocols, through the public check(): each failure kind is
 * found, named and shrunk, and each correct control variant holds, so a detector that fires on
 * everything (or on nothing) fails here.
 */
import * as fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { check, type Invariant } from '../../../src/index.js';
import { BUG_ON, at, migrate_disable, migrate_enable, spin_lock, spin_unlock, type Gen } from '../../../src/sim/thread.js';
import { idle, toyProtocol, variant, type ToyExec } from '../../helpers/toy.js';

const SEED = 42;

// ---- lost update: x = v; v = x + 1 in two threads ---------------------------------------------

/** `want`: the increments the workload makes, so the final invariant can count them */
interface Counter { v: number; want: number }

/** `v++` as two steps (load, store) unless the variant makes it one atomic_inc. */
function* increment(x: ToyExec<Counter>, atomic: boolean): Gen {
  if (atomic) {
    yield* at('atomic_inc', 'v++');
    x.w.k.v++;
    return;
  }
  yield* at('increment', 'tmp = v');
  const tmp = x.w.k.v;
  yield* at('increment', 'v = tmp + 1');
  x.w.k.v = tmp + 1;
}

const lostUpdate = toyProtocol<Counter, number[]>({
  name: 'toy-counter',
  variants: [variant('atomic', false, { atomic: true }), variant('racy', true, { atomic: false }, 'toy-counter/no-lost-update')],
  // increments per task: fast-check should shrink this to the two single increments the race needs
  workload: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
  k: (wl) => ({ v: 0, want: wl.reduce((a, b) => a + b, 0) }),
  tasks: (wl, v) => wl.map((n, i) => ({
    name: `T${i}`, cpu: i,
    *run(x: ToyExec<Counter>) { for (let j = 0; j < n; j++) yield* increment(x, (v.config as { atomic: boolean }).atomic); },
  })),
  invariants: [{
    name: 'toy-counter/no-lost-update', description: 'v counts every increment', final: true,
    check: (w) => (w.k.v !== w.k.want ? `v = ${w.k.v} after ${w.k.want} increments` : undefined),
  }],
});

describe('lost update', () => {

  test('found by check() and shrunk to two single increments with one preemption', () => {
    const r = check({ protocol: lostUpdate, variant: 'racy', runs: 500, seed: SEED });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.kind).toBe('invariant');
    expect(r.failure.invariant).toBe('toy-counter/no-lost-update');
    expect(r.failure.message).toBe('v = 1 after 2 increments');
    expect(r.scenario.workload).toEqual([1, 1]);
    // load A, load B, store, store: the minimum, and exactly one switch away from the running CPU
    expect(r.steps).toBe(4);
    expect(r.preemptions).toBe(1);
    expect(r.trace.map((s) => s.what)).toEqual(expect.arrayContaining(['tmp = v', 'v = tmp + 1']));
  });

  test('the atomic variant holds', () => {
    expect(check({ protocol: lostUpdate, variant: 'atomic', runs: 300, seed: SEED }).ok).toBe(true);
  });

  test('on one CPU the race needs a preemption, so maxPreemptions 0 rules it out', () => {
    expect(check({ protocol: lostUpdate, variant: 'racy', runs: 500, seed: SEED, cpus: 1, maxPreemptions: 0 }).ok).toBe(true);
    const r = check({ protocol: lostUpdate, variant: 'racy', runs: 500, seed: SEED, cpus: 1, maxPreemptions: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.trace.some((s) => s.fn === '__schedule' && s.what.startsWith('preempt'))).toBe(true);
  });
});

// ---- deadlock: two locks taken in opposite order -------------------------------------------

function* lockPair(x: ToyExec<null>, first: string, second: string): Gen {
  yield* spin_lock(x, first, 'lock_pair');
  yield* spin_lock(x, second, 'lock_pair');
  spin_unlock(x, second);
  spin_unlock(x, first);
}

const abba = toyProtocol<null>({
  name: 'toy-abba',
  variants: [variant('ordered', false, { order: 'ab' }), variant('abba', true, { order: 'ba' }, 'kernel/progress')],
  k: () => null,
  tasks: (_, v) => [
    { name: 'A', cpu: 0, run: (x: ToyExec<null>) => lockPair(x, 'a', 'b') },
    { name: 'B', cpu: 1, run: (x: ToyExec<null>) => ((v.config as { order: string }).order === 'ab' ? lockPair(x, 'a', 'b') : lockPair(x, 'b', 'a')) },
  ],
});

describe('deadlock', () => {

  test('opposite lock order is a deadlock naming both waiters', () => {
    const r = check({ protocol: abba, variant: 'abba', runs: 300, seed: SEED });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.kind).toBe('deadlock');
    expect(r.failure.invariant).toBe('kernel/progress');
    expect(r.failure.message).toContain('task A at lock_pair: spin_lock(&b)');
    expect(r.failure.message).toContain('task B at lock_pair: spin_lock(&a)');
    // A takes a, B takes b, then nothing can run
    expect(r.steps).toBe(2);
  });

  test('the same order never deadlocks', () => {
    expect(check({ protocol: abba, variant: 'ordered', runs: 300, seed: SEED }).ok).toBe(true);
  });
});

// ---- livelock and waiting: spinning forever vs. waiting on a condition -----------------------

interface Flag { flag: boolean }

const spinner = toyProtocol<Flag>({
  name: 'toy-spin',
  variants: [
    // `until` makes the waiter not runnable until the flag is set: fair by construction
    variant('wait-set', false, { wait: 'until', setter: true }),
    variant('spin-unset', true, { wait: 'loop', setter: false }, 'kernel/progress'),
    variant('wait-unset', true, { wait: 'until', setter: false }, 'kernel/progress'),
  ],
  k: () => ({ flag: false }),
  tasks: (_, v) => {
    const cfg = v.config as { wait: 'until' | 'loop'; setter: boolean };
    const waiter = {
      name: 'W', cpu: 0,
      *run(x: ToyExec<Flag>): Gen {
        if (cfg.wait === 'until') yield { fn: 'wait', what: 'until (flag)', until: () => x.w.k.flag };
        else while (!x.w.k.flag) yield* at('spin', 'while (!flag) cpu_relax()');
      },
    };
    const setter = { name: 'S', cpu: 1, *run(x: ToyExec<Flag>): Gen { yield* idle(2); yield* at('set', 'flag = 1'); x.w.k.flag = true; } };
    return cfg.setter ? [waiter, setter] : [waiter];
  },
});

describe('livelock and waiting', () => {

  test('a thread spinning forever is a livelock at exactly the step budget', () => {
    const r = check({ protocol: spinner, variant: 'spin-unset', runs: 10, seed: SEED, maxSteps: 60 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.kind).toBe('livelock');
    expect(r.failure.invariant).toBe('kernel/progress');
    // 60 steps ran (indices 0..59); the failure is reported after the last of them
    expect(r.steps).toBe(60);
    expect(r.failure.step).toBe(59);
    expect(r.failure.message).toContain('60 steps');
  });

  test('waiting on a condition nobody sets is a deadlock, not a livelock', () => {
    const r = check({ protocol: spinner, variant: 'wait-unset', runs: 10, seed: SEED });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure.kind).toBe('deadlock');
  });

  test('waiting on a condition another CPU sets completes', () => {
    expect(check({ protocol: spinner, variant: 'wait-set', runs: 300, seed: SEED }).ok).toBe(true);
  });
});

// ---- a thread throws ----------------------------------------------------------------------

const thrower = toyProtocol<null>({
  name: 'toy-throw',
  variants: [variant('bug', true, { bug: true }, 'kernel/BUG'), variant('error', true, { bug: false }, 'kernel/thread-threw')],
  k: () => null,
  tasks: (_, v) => [{
    name: 'A', cpu: 0,
    *run(): Gen {
      yield* idle(3);
      if ((v.config as { bug: boolean }).bug) BUG_ON(true, 'toy_fn', 'the impossible happened');
      else throw new TypeError('modelling slip');
    },
  }],
});

describe('thread throws', () => {

  test('a KernelBug from BUG_ON() is kernel/BUG after the step that hit it', () => {
    const r = check({ protocol: thrower, variant: 'bug', runs: 5, seed: SEED });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure).toMatchObject({ kind: 'thread-threw', invariant: 'kernel/BUG', message: 'kernel BUG at toy_fn: the impossible happened' });
    // the third yield's step resumes the thread into the BUG: step index 2 is the one that threw
    expect(r.failure.step).toBe(2);
  });

  test('any other exception is kernel/thread-threw with its message', () => {
    const r = check({ protocol: thrower, variant: 'error', runs: 5, seed: SEED });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure).toMatchObject({ kind: 'thread-threw', invariant: 'kernel/thread-threw', message: 'modelling slip' });
  });
});

// ---- spec refusal: a test-and-set lock that is not atomic ----------------------------------

interface Mutex { locked: boolean }

function* mutexUser(x: ToyExec<Mutex>, atomic: boolean): Gen {
  if (atomic) {
    yield* spin_lock(x, 'm', 'my_lock');
  } else {
    yield { fn: 'my_lock', what: 'wait until !locked', until: () => !x.w.k.locked };
    yield* at('my_lock', 'locked = 1');
  }
  // read current() only after the first yield: before it, the engine has not yet put the task
  // on its CPU (see the report: code ahead of a task's first yield sees the idle task)
  const task = x.current().id;
  x.w.k.locked = true;
  x.emit({ type: 'LOCK', task });
  yield* at('critical', 'work');
  yield* at('my_unlock', 'locked = 0');
  x.w.k.locked = false;
  x.emit({ type: 'UNLOCK', task });
  if (atomic) spin_unlock(x, 'm');
}

const MUTEX = 'toy-mutex/mutual-exclusion';
const mutex = toyProtocol<Mutex>({
  name: 'toy-mutex',
  variants: [variant('spinlock', false, { atomic: true }), variant('test-then-set', true, { atomic: false }, MUTEX)],
  refusal: MUTEX,
  invariants: [{ name: MUTEX, description: 'at most one task holds the lock (enforced by the statechart)' }],
  k: () => ({ locked: false }),
  tasks: (_, v) => ['A', 'B'].map((name, cpu) => ({ name, cpu, run: (x: ToyExec<Mutex>) => mutexUser(x, (v.config as { atomic: boolean }).atomic) })),
});

describe('spec refusal', () => {

  test('a second LOCK while held is refused, naming the invariant refusal() returns', () => {
    const r = check({ protocol: mutex, variant: 'test-then-set', runs: 300, seed: SEED });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.kind).toBe('spec-refused');
    expect(r.failure.invariant).toBe(MUTEX);
    expect(r.failure.meaning).toBe('at most one task holds the lock (enforced by the statechart)');
    expect(r.failure.event).toMatch(/^LOCK\(task=[AB]\)$/);
    expect(r.failure.specState).toContain('"held"');
    // both pass the wait, both set: four steps
    expect(r.steps).toBe(4);
  });

  test('the spinlock variant is accepted by the spec on every run', () => {
    expect(check({ protocol: mutex, variant: 'spinlock', runs: 300, seed: SEED }).ok).toBe(true);
  });
});

// ---- environment choices: interrupts only with irqs on; migrate_disable pins a task --------

interface Section { critical: boolean }
const IRQ_INV = 'toy-irq/no-irq-in-section';

const irqs = toyProtocol<Section>({
  name: 'toy-irq',
  variants: [variant('irqs-off', false, { disable: true }), variant('irqs-on', true, { disable: false }, IRQ_INV)],
  k: () => ({ critical: false }),
  tasks: (_, v) => [{
    name: 'A', cpu: 0,
    *run(x: ToyExec<Section>): Gen {
      const disable = (v.config as { disable: boolean }).disable;
      yield* at('section', 'local_irq_disable()');
      if (disable) x.cpuState().irqsOff = true;
      x.w.k.critical = true;
      yield* idle(3, 'section');
      yield* at('section', 'local_irq_enable()');
      x.w.k.critical = false;
      if (disable) x.cpuState().irqsOff = false;
    },
  }],
  irqs: () => [{ name: 'irq0', cpu: 0, kind: 'hardirq', run: () => idle(1, 'handler') }],
  invariants: [{
    name: IRQ_INV, description: 'no hardirq runs inside an irqs-off section',
    check: (w) => (w.k.critical && w.cpus[0]!.ctx.some((c) => c.kind === 'hardirq') ? 'irq0 interrupted the irqs-off section' : undefined),
  }],
});

interface Pin { pinned: number }
const PIN_INV = 'toy-pin/no-migration';

const pinning = toyProtocol<Pin>({
  name: 'toy-pin',
  variants: [variant('migrate-disabled', false, { pin: true }), variant('unpinned', true, { pin: false }, PIN_INV)],
  k: () => ({ pinned: -1 }),
  tasks: (_, v) => [
    {
      name: 'A', cpu: 0,
      *run(x: ToyExec<Pin>): Gen {
        const pin = (v.config as { pin: boolean }).pin;
        yield* at('pinned', 'migrate_disable()');
        if (pin) migrate_disable(x);
        x.w.k.pinned = x.cpu();
        yield* idle(4, 'pinned');
        yield* at('pinned', 'migrate_enable()');
        if (pin) migrate_enable(x);
        x.w.k.pinned = -1;
      },
    },
    // B shares cpu0 and can preempt A; cpu1 is idle and takes any runnable task it may
    { name: 'B', cpu: 0, run: () => idle(2) },
  ],
  invariants: [{
    name: PIN_INV, description: 'a task in a migrate_disable() section stays on its CPU',
    check: (w) => {
      const a = w.tasks.find((t) => t.name === 'A')!;
      return w.k.pinned >= 0 && a.cpu !== w.k.pinned ? `A moved from cpu${w.k.pinned} to cpu${a.cpu}` : undefined;
    },
  }],
});

describe('environment choices', () => {

  test('interrupts are taken only with irqs on', () => {
    expect(check({ protocol: irqs, variant: 'irqs-off', runs: 500, seed: SEED }).ok).toBe(true);
  });

  test('control: with irqs left on, the same interrupt does land in the section', () => {
    const r = check({ protocol: irqs, variant: 'irqs-on', runs: 500, seed: SEED });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure.invariant).toBe(IRQ_INV);
  });

  test('a migrate-disabled task is never switched in on another CPU', () => {
    expect(check({ protocol: pinning, variant: 'migrate-disabled', runs: 500, seed: SEED }).ok).toBe(true);
  });

  test('control: without migrate_disable() the idle CPU does pull the task over', () => {
    const r = check({ protocol: pinning, variant: 'unpinned', runs: 500, seed: SEED });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure.message).toBe('A moved from cpu0 to cpu1');
  });
});

// ---- interrupt nesting: a hardirq may interrupt a softirq, never the other way round ---------

const NEST_INV = 'toy-nest/softirq-not-above-hardirq';
const NESTED_INV = 'toy-nest-detect/hardirq-above-softirq';

/** Context kinds on a CPU, bottom first. */
const stackOf = (ctx: { kind: string }[]) => ctx.map((c) => c.kind).join('>');

const softNotAboveHard: Invariant = {
  name: NEST_INV, description: 'a softirq never runs above a hardirq',
  check: (w) => (w.cpus.some((c) => /hardirq.*softirq/.test(stackOf(c.ctx))) ? `softirq above hardirq: ${stackOf(w.cpus[0]!.ctx)}` : undefined),
};
// the control: claims a hardirq never nests above a softirq, which the engine must break
const hardNotAboveSoft: Invariant = {
  name: NESTED_INV, description: 'control: a hardirq never runs above a softirq',
  check: (w) => (w.cpus.some((c) => /softirq>hardirq/.test(stackOf(c.ctx))) ? 'hardirq above softirq' : undefined),
};

/** A task and both kinds of interrupt on one CPU. */
const nesting = (name: string, invariants: Invariant[]) => toyProtocol<null>({
  name, invariants, k: () => null,
  tasks: () => [{ name: 'A', cpu: 0, run: () => idle(4) }],
  irqs: () => [
    { name: 'soft', cpu: 0, kind: 'softirq', run: () => idle(2, 'softirq_handler') },
    { name: 'hard', cpu: 0, kind: 'hardirq', run: () => idle(2, 'hardirq_handler') },
  ],
});

describe('interrupt nesting', () => {

  test('a softirq is never taken inside a hardirq', () => {
    expect(check({ protocol: nesting('toy-nest', [softNotAboveHard]), runs: 500, seed: SEED }).ok).toBe(true);
  });

  test('control: a hardirq is taken inside a softirq', () => {
    const r = check({ protocol: nesting('toy-nest-detect', [hardNotAboveSoft]), runs: 500, seed: SEED });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure.invariant).toBe(NESTED_INV);
  });
});
