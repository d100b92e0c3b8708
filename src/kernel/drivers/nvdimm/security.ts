/**
 * The nvdimm core's security commands (drivers/nvdimm/security.c, v6.2), all under the bus lock:
 * unlock (at DIMM probe), secure erase, overwrite (submission, then a delayed work polls
 * query-overwrite until the device reports completion and clears NDD_SECURITY_OVERWRITE).
 * Since dc370b28c842 <166993221550.1995348.16843505129579060258.stgit@dwillia2-xfh.jf.intel.com>
 * a successful unlock, erase or overwrite submission sets NDD_INCOHERENT; nd_region_activate()
 * then invalidates. Keys, passphrase types, frozen/disabled states, the master passphrase and
 * the key revalidation of an already unlocked DIMM are left out (they change no media; a DIMM is
 * probed, and unlocked, only while it is locked here). The work re-checks NDD_WORK_PENDING and the
 * presence of query_overwrite; both always hold here (one work per overwrite, Intel DIMMs only).
 */
import type { Gen } from '../../../sim/thread.js';
import { EBUSY, EIO, EOPNOTSUPP, type Dev, type X } from '../../mm/memregion-types.js';
import { intel_security_erase, intel_security_overwrite, intel_security_query_overwrite, intel_security_unlock } from '../acpi/nfit/intel.js';
import { cxl_pmem_security_passphrase_erase, cxl_pmem_security_unlock } from '../cxl/security.js';
import { nvdimm_bus_lock, nvdimm_bus_unlock } from './bus.js';

type Op = (x: X, dev: Dev) => Gen<number>;
interface SecurityOps { unlock: Op; erase: Op; overwrite?: Op; query_overwrite?: Op }

const INTEL: SecurityOps = { unlock: intel_security_unlock, erase: intel_security_erase, overwrite: intel_security_overwrite, query_overwrite: intel_security_query_overwrite };
const CXL: SecurityOps = { unlock: cxl_pmem_security_unlock, erase: cxl_pmem_security_passphrase_erase };

/** nvdimm->sec.ops: none when the platform exposes no security commands (a guest without them) */
function sec_ops(x: X, dev: Dev): SecurityOps | null {
  const ops = x.w.k.nvdimm[dev].secOps;
  return ops === 'intel' ? INTEL : ops === 'cxl' ? CXL : null;
}

/** After a successful command that changed the media (region-driver design). */
function* mark_incoherent(x: X, dev: Dev): Gen {
  if (x.w.k.cfg.nvdimm !== 'region-driver') return;
  yield { fn: 'security', what: `set_bit(NDD_INCOHERENT, &${dev}->flags)` };
  x.w.k.nvdimm[dev].NDD_INCOHERENT = true;
}

function check_security_state(x: X, dev: Dev): number {
  return x.w.k.nvdimm[dev].NDD_SECURITY_OVERWRITE ? EBUSY : 0;
}

function* __nvdimm_security_unlock(x: X, dev: Dev): Gen<number> {
  const ops = sec_ops(x, dev);
  if (!ops) return EIO;
  if (x.w.k.nvdimm[dev].NDD_SECURITY_OVERWRITE) return EBUSY;
  const rc = yield* ops.unlock(x, dev);
  if (rc === 0) yield* mark_incoherent(x, dev);
  return rc;
}

export function* nvdimm_security_unlock(x: X, dev: Dev): Gen<number> {
  yield* nvdimm_bus_lock(x, 'nvdimm_security_unlock');
  const rc = yield* __nvdimm_security_unlock(x, dev);
  nvdimm_bus_unlock(x);
  return rc;
}

function* security_erase(x: X, dev: Dev): Gen<number> {
  const ops = sec_ops(x, dev);
  if (!ops) return EOPNOTSUPP;
  const busy = check_security_state(x, dev);
  if (busy) return busy;
  const rc = yield* ops.erase(x, dev);
  if (rc === 0) yield* mark_incoherent(x, dev);
  return rc;
}

function* security_overwrite(x: X, dev: Dev): Gen<number> {
  const ops = sec_ops(x, dev);
  if (!ops?.overwrite) return EOPNOTSUPP;
  const busy = check_security_state(x, dev);
  if (busy) return busy;
  const rc = yield* ops.overwrite(x, dev);
  if (rc !== 0) return rc;
  yield* mark_incoherent(x, dev);
  yield { fn: 'security_overwrite', what: `set_bit(NDD_SECURITY_OVERWRITE | NDD_WORK_PENDING, &${dev}->flags); queue_delayed_work()` };
  const n = x.w.k.nvdimm[dev];
  n.NDD_SECURITY_OVERWRITE = true;
  n.NDD_WORK_PENDING = true;
  x.spawn(`kworker/${dev}`, (w) => overwrite_work(w as X, dev));
  return 0;
}

/** The delayed work: poll until the device is done ("tmo += 10; queue_delayed_work()" on -EBUSY). */
function* overwrite_work(x: X, dev: Dev): Gen {
  for (;;) {
    yield { fn: 'process_one_work', what: `nvdimm_security_overwrite_query(${dev})` };
    if (!(yield* nvdimm_security_overwrite_query(x, dev))) return;
  }
}

/** One run of the work; true when it requeued itself. */
function* nvdimm_security_overwrite_query(x: X, dev: Dev): Gen<boolean> {
  yield* nvdimm_bus_lock(x, 'nvdimm_security_overwrite_query');
  const again = yield* __nvdimm_security_overwrite_query(x, dev);
  nvdimm_bus_unlock(x);
  return again;
}

function* __nvdimm_security_overwrite_query(x: X, dev: Dev): Gen<boolean> {
  const n = x.w.k.nvdimm[dev];
  const rc = yield* sec_ops(x, dev)!.query_overwrite!(x, dev);
  if (rc === EBUSY) return true;
  // "overwrite completed" (or failed): the DIMM is usable again
  n.NDD_SECURITY_OVERWRITE = false;
  n.NDD_WORK_PENDING = false;
  return false;
}

/** The sysfs security attribute's erase and overwrite (nvdimm_security_store()): not while a region uses the DIMM. */
export function* nvdimm_security_store(x: X, dev: Dev, op: 'erase' | 'overwrite'): Gen<number> {
  if (x.w.k.nvdimm[dev].busy > 0) return EBUSY;
  return op === 'erase' ? yield* security_erase(x, dev) : yield* security_overwrite(x, dev);
}
