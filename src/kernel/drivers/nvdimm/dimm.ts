/**
 * Binding a DIMM's driver and writing its security attribute:
 *  - nvdimm_probe() (drivers/nvdimm/dimm.c): tries nvdimm_security_unlock(); a DIMM that stays
 *    locked has no readable label area and the probe fails (so to_ndd() stays NULL and its
 *    regions cannot register namespaces). The label handling itself is left out.
 *  - security_store() (drivers/nvdimm/dimm_devs.c): "Require all userspace triggered security
 *    management to be done while probing is idle and the DIMM is not in active use in any
 *    region": device_lock, the bus lock, wait_nvdimm_bus_probe_idle(), then the command.
 */
import type { Gen } from '../../../sim/thread.js';
import { ENXIO, type Dev, type X } from '../../mm/memregion-types.js';
import { device_driver_attach, device_lock, device_unlock } from '../base/dd.js';
import { nvdimm_bus_lock, nvdimm_bus_probe, nvdimm_bus_unlock, wait_nvdimm_bus_probe_idle } from './bus.js';
import { nvdimm_security_store, nvdimm_security_unlock } from './security.js';

function* nvdimm_probe(x: X, dev: Dev): Gen<number> {
  yield* nvdimm_security_unlock(x, dev);
  if (x.w.k.hw.devices[dev].locked) return ENXIO;
  x.w.k.nvdimm[dev].probed = true;
  return 0;
}

/** The DIMM driver's bind: its probe on the nvdimm bus. */
export function* nvdimm_bind(x: X, dev: Dev): Gen<number> {
  return yield* device_driver_attach(x, {
    dev, bound: () => x.w.k.nvdimm[dev].probed,
    probe: (y) => nvdimm_bus_probe(y, (z) => nvdimm_probe(z, dev)),
  });
}

export function* security_store(x: X, dev: Dev, op: 'erase' | 'overwrite'): Gen<number> {
  yield* device_lock(x, dev, 'security_store');
  yield* nvdimm_bus_lock(x, 'security_store');
  yield* wait_nvdimm_bus_probe_idle(x, dev);
  const rc = yield* nvdimm_security_store(x, dev, op);
  nvdimm_bus_unlock(x);
  device_unlock(x, dev);
  return rc;
}
