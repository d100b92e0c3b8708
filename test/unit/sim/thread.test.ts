/**
 * The sleeping primitives of src/sim/thread.ts under the engine: prepare_to_wait() before the
 * condition check cannot lose a wake-up; checking first can, and the engine reports the
 * stranded sleeper as a deadlock. A blocked task gives its CPU to the next runnable task.
 */
import { describe, expect, test } from 'vitest';
import { check } from '../../../src/index.js';
import { at, finish_wait, prepare_to_wait, schedule_sleep, wake_up, type Gen } from '../../../src/sim/thread.js';
import { idle, toyProtocol, variant, type ToyExec } from '../../helpers/toy.js';

interface Cond { cond: boolean }
const SEED = 42;

/** wait_event(): queue first, then test the condition (or, in the buggy order, the reverse). */
function* waitEvent(x: ToyExec<Cond>, queueFirst: boolean): Gen {
  if (queueFirst) {
    yield* at('wait_event', 'prepare_to_wait(&wq)');
    prepare_to_wait(x, 'wq');
  }
  yield* at('wait_event', 'if (cond) break');
  if (x.w.k.cond) {
    x.current().waitOn = null; // finish_wait()
    return;
  }
  if (!queueFirst) {
    yield* at('wait_event', 'prepare_to_wait(&wq)');
    prepare_to_wait(x, 'wq');
  }
  yield* schedule_sleep(x, 'wait_event');
  finish_wait(x); // woken: the cond is set only before the wake-up
}

function* wakeUp(x: ToyExec<Cond>): Gen {
  yield* at('waker', 'cond = 1');
  x.w.k.cond = true;
  yield* at('waker', 'wake_up(&wq)');
  wake_up(x.w, 'wq');
}

const waiting = toyProtocol<Cond>({
  name: 'toy-wait',
  variants: [variant('queue-then-test', false, { queueFirst: true }), variant('test-then-queue', true, { queueFirst: false }, 'kernel/progress')],
  k: () => ({ cond: false }),
  tasks: (_, v) => [
    { name: 'W', cpu: 0, run: (x: ToyExec<Cond>) => waitEvent(x, (v.config as { queueFirst: boolean }).queueFirst) },
    { name: 'S', cpu: 1, run: wakeUp },
    // shares cpu0 with the waiter: it can only run there once W blocks or is preempted
    { name: 'O', cpu: 0, run: () => idle(1, 'other') },
  ],
});

describe('sleeping and waking', () => {

  test('prepare_to_wait() before the check never loses the wake-up', () => {
    expect(check({ protocol: waiting, variant: 'queue-then-test', runs: 1000, seed: SEED }).ok).toBe(true);
  });

  test('checking before queueing loses it: the sleeper is stranded, reported as a deadlock', () => {
    const r = check({ protocol: waiting, variant: 'test-then-queue', runs: 1000, seed: SEED });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.kind).toBe('deadlock');
    expect(r.failure.message).toContain('task W at wait_event: woken up');
    // W's CPU went to O when W blocked, so O finished and only W is left waiting
    expect(r.failure.message).not.toContain('task O');
    // the trace shows the waker ran between the check and the sleep
    const order = r.trace.map((s) => s.what);
    expect(order.indexOf('wake_up(&wq)')).toBeLessThan(order.lastIndexOf('prepare_to_wait(&wq)'));
  });
});
