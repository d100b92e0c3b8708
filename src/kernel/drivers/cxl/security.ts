/**
 * The CXL memdev security ops behind its nvdimm bridge (drivers/cxl/security.c, v6.2 as merged
 * with Dan Williams' series <166993219354.1995348.12912519920112533797.stgit@dwillia2-xfh.jf.intel.com>,
 * which dropped the invalidations of Dave Jiang's v7 in favour of NDD_INCOHERENT in the nvdimm
 * core): unlock and passphrase secure erase are bare mailbox commands. No overwrite (Sanitize is
 * not an nvdimm op). Payloads and mailbox errors are left out.
 */
import type { Gen } from '../../../sim/thread.js';
import { dev_erase, dev_unlock } from '../../hw/device.js';
import type { Dev, X } from '../../mm/memregion-types.js';

function* cxl_mbox_send_cmd(_x: X, dev: Dev, cmd: string): Gen {
  yield { fn: 'cxl_mbox_send_cmd', what: `${cmd} to ${dev}` };
}

export function* cxl_pmem_security_unlock(x: X, dev: Dev): Gen<number> {
  yield* cxl_mbox_send_cmd(x, dev, 'CXL_MBOX_OP_UNLOCK');
  dev_unlock(x, dev);
  return 0;
}

export function* cxl_pmem_security_passphrase_erase(x: X, dev: Dev): Gen<number> {
  yield* cxl_mbox_send_cmd(x, dev, 'CXL_MBOX_OP_PASSPHRASE_SECURE_ERASE');
  dev_erase(x, dev);
  return 0;
}
