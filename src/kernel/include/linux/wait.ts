/**
 * wait_event() (include/linux/wait.h, ___wait_event()): queue, test the condition, sleep until a
 * wake_up() on the queue, test again; finish_wait() once it holds. A waiter sleeps rather than
 * spins, so whoever must make the condition true can run on the same CPU.
 */
import { finish_wait, prepare_to_wait, schedule_sleep, type Exec, type Gen } from '../../../sim/thread.js';

export function* wait_event<K, E>(x: Exec<K, E>, wq: string, condition: () => boolean, fn: string): Gen {
  for (;;) {
    prepare_to_wait(x, wq);
    if (condition()) break;
    yield* schedule_sleep(x, fn);
  }
  finish_wait(x);
}
