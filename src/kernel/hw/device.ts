/**
 * The devices, the hardware side: what an NVDIMM's firmware does for the Intel DSM security
 * commands (unlock, secure erase, overwrite and its status query; Intel NVDIMM DSM 1.8), what a
 * CXL memdev does for its mailbox security commands (CXL 3.0 8.2.9.8.6: unlock, passphrase secure
 * erase), and the HDM decoders that route window X to a memdev (CXL 2.0 8.2.5.12). Not kernel
 * code. Every media-changing event is reported to the specification (MEDIA, MEDIA_DONE).
 *
 * A media change is invisible to the CPU caches (the device writes its media directly), except
 * for emulated devices (QEMU, nfit_test, cxl_test), whose "media" is host memory written through
 * the host's coherent caches: there the cached copies are dropped. An overwrite takes a number of
 * status polls (the device's speed, a workload parameter); its start and its completion are
 * distinct events.
 */
import { addrOf, X86_FEATURE_HYPERVISOR, type Dev, type X } from '../mm/memregion-types.js';
import { cache_drop } from './cpu-cache.js';

/** The media of `dev` now holds new data: a new epoch. */
function newContent(x: X, dev: Dev, what: string): void {
  const hw = x.w.k.hw;
  const d = hw.devices[dev];
  d.epoch++;
  d.cell = { dev, epoch: d.epoch };
  changed(x, dev, what);
}

function changed(x: X, dev: Dev, what: string): void {
  const hw = x.w.k.hw;
  if (hw.emulated) cache_drop(hw, addrOf(dev));
  // an assigned device changes the bare-metal address map under the guest's caches
  else if (X86_FEATURE_HYPERVISOR(hw)) hw.guestEvent ??= `${what} of ${dev}`;
}

/** Unlock a locked device with the passphrase: the media reads as data instead of poison. */
export function dev_unlock(x: X, dev: Dev): void {
  x.w.k.hw.devices[dev].locked = false;
  newContent(x, dev, 'unlock');
  x.emit({ type: 'MEDIA', dev, what: 'unlock' });
}

/** Secure erase: the media is replaced at once (a new key). */
export function dev_erase(x: X, dev: Dev): void {
  newContent(x, dev, 'secure erase');
  x.emit({ type: 'MEDIA', dev, what: 'erase' });
}

/** Overwrite starts: the media is in flux until a status poll finds it complete. */
export function dev_overwrite(x: X, dev: Dev): void {
  const hw = x.w.k.hw;
  hw.devices[dev].overwrite = hw.overwritePolls;
  newContent(x, dev, 'overwrite');
  x.emit({ type: 'MEDIA', dev, what: 'overwrite' });
}

/** Query the status of a running overwrite: 'busy', or 'done' at the poll that finds the final media. */
export function dev_query_overwrite(x: X, dev: Dev): 'busy' | 'done' {
  const d = x.w.k.hw.devices[dev];
  if (--d.overwrite > 0) return 'busy';
  newContent(x, dev, 'overwrite completion');
  x.emit({ type: 'MEDIA_DONE', dev });
  return 'done';
}

/** Commit the HDM decoders of a region (endpoint up to the host bridge): X routes to `dev`. */
export function hdm_commit(x: X, dev: Dev): void {
  x.w.k.hw.decodeX = dev;
  changed(x, dev, 'HDM decoder commit');
  x.emit({ type: 'MEDIA', dev, what: 'decode' });
}

/** Reset the decoders of a committed region: X routes to nothing. */
export function hdm_reset(x: X): void {
  const hw = x.w.k.hw;
  const dev = hw.decodeX!;
  hw.decodeX = null;
  changed(x, dev, 'HDM decoder reset');
  x.emit({ type: 'MEDIA', dev, what: 'decode' });
}
