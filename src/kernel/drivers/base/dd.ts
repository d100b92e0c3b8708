/**
 * Binding and unbinding a driver (drivers/base/dd.c, v6.2): device_driver_attach() and
 * device_release_driver() take device_lock() around the bus's probe and remove; a bound device is
 * not probed again (-EBUSY from the sysfs bind attribute). device_lock() is a mutex.
 */
import type { Gen } from '../../../sim/thread.js';
import { mutex_lock, mutex_unlock } from '../../kernel/locking/mutex.js';
import { EBUSY, type X } from '../../mm/memregion-types.js';

export function* device_lock(x: X, dev: string, fn: string): Gen {
  yield* mutex_lock(x, `device_lock(${dev})`, fn);
}

export function device_unlock(x: X, dev: string): void {
  mutex_unlock(x, `device_lock(${dev})`);
}

interface Driver {
  /** the device name, for its lock */
  dev: string;
  bound(): boolean;
}

export function* device_driver_attach(x: X, b: Driver & { probe(x: X): Gen<number> }): Gen<number> {
  yield* device_lock(x, b.dev, 'device_driver_attach');
  const rc = b.bound() ? EBUSY : yield* b.probe(x);
  device_unlock(x, b.dev);
  return rc;
}

export function* device_release_driver(x: X, b: Driver & { remove(x: X): Gen }): Gen {
  yield* device_lock(x, b.dev, 'device_release_driver');
  if (b.bound()) yield* b.remove(x);
  device_unlock(x, b.dev);
}
