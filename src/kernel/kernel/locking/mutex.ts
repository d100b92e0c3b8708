/**
 * A sleeping mutex (kernel/locking/mutex.c) for iommu_sva_lock and mm->context.lock: a waiter
 * sleeps instead of spinning, so the holder can be scheduled even when preemption is exhausted.
 * The test and the queueing are one step, so an unlock cannot slip in between and be lost.
 */
import { finish_wait, prepare_to_wait, schedule_sleep, wake_up, type Exec, type Gen } from '../../../sim/thread.js';

export function* mutex_lock<K, E>(x: Exec<K, E>, name: string, fn: string): Gen {
  for (;;) {
    yield { fn, what: `mutex_lock(&${name})` };
    if (x.w.locks[name] === undefined) {
      x.w.locks[name] = x.unit;
      return;
    }
    prepare_to_wait(x, `mutex ${name}`);
    yield* schedule_sleep(x, fn);
    finish_wait(x);
  }
}

export function mutex_unlock<K, E>(x: Exec<K, E>, name: string): void {
  x.unlock(name);
  wake_up(x.w, `mutex ${name}`);
}
