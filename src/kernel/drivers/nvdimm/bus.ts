/**
 * The nvdimm bus (drivers/nvdimm/bus.c, v6.2): nvdimm_bus_lock() is the bus's reconfig_mutex;
 * nvdimm_bus_probe() counts probes in flight (probe_active, under the lock) around the driver's
 * probe, so that security commands can wait for probing to be idle
 * (wait_nvdimm_bus_probe_idle(), which drops the locks while it waits); nvdimm_bus_remove()
 * runs the driver's remove and then nd_region_disable() (drops nvdimm->busy).
 */
import { wake_up, type Gen } from '../../../sim/thread.js';
import { wait_event } from '../../include/linux/wait.js';
import { mutex_lock, mutex_unlock } from '../../kernel/locking/mutex.js';
import type { X } from '../../mm/memregion-types.js';
import { device_lock, device_unlock } from '../base/dd.js';

const RECONFIG = 'nvdimm_bus.reconfig_mutex';
const PROBE_WAIT = 'nvdimm_bus->wait';

export function* nvdimm_bus_lock(x: X, fn: string): Gen {
  yield* mutex_lock(x, RECONFIG, fn);
}

export function nvdimm_bus_unlock(x: X): void {
  mutex_unlock(x, RECONFIG);
}

/** Called with device_lock(dev) and the bus lock held; returns with both held and no probe running. */
export function* wait_nvdimm_bus_probe_idle(x: X, dev: string): Gen {
  while (x.w.k.probe_active !== 0) {
    nvdimm_bus_unlock(x);
    device_unlock(x, dev);
    yield* wait_event(x, PROBE_WAIT, () => x.w.k.probe_active === 0, 'wait_nvdimm_bus_probe_idle');
    yield* device_lock(x, dev, 'wait_nvdimm_bus_probe_idle');
    yield* nvdimm_bus_lock(x, 'wait_nvdimm_bus_probe_idle');
  }
}

export function* nvdimm_bus_probe(x: X, probe: (x: X) => Gen<number>): Gen<number> {
  yield* nvdimm_bus_lock(x, 'nvdimm_bus_probe_start');
  x.w.k.probe_active++;
  nvdimm_bus_unlock(x);
  const rc = yield* probe(x);
  yield* nvdimm_bus_lock(x, 'nvdimm_bus_probe_end');
  if (--x.w.k.probe_active === 0) wake_up(x.w, PROBE_WAIT);
  nvdimm_bus_unlock(x);
  return rc;
}
