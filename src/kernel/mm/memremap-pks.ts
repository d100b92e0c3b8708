/**
 * What the kmap family does for a protected device page, per design (the PageProtectionHooks
 * the kmap code calls):
 *  - V-RFC: kmap()/kmap_atomic() call dev_access_enable(), a per-task refcount under
 *    local_irq_save() (RFC V2 13/17 <20200717072056.73134-14-ira.weiny@intel.com>);
 *  - V-GLOBAL: the same count, kmap() granting globally, kmap_local locally
 *    (__dev_access_enable(bool global), 03/58 <20201009195033.3208459-4-ira.weiny@intel.com>);
 *  - V3, V10: kmap_local_page()/kmap_atomic() only, __pgmap_set_readwrite/noaccess() with
 *    current->pgmap_prot_count; kmap() is unchanged (V10 31/44 and 33/44
 *    <20220419170649.1022246-32/-34-ira.weiny@intel.com>);
 *  - V-TGLX: kmap()/kunmap() atomic_inc/dec(&page->unprotect); kmap_local grants locally.
 */
import type { Gen } from '../../sim/thread.js';
import type { PageProtectionHooks, X } from './kmap-types.js';
import { PKEY_NO_ACCESS, PKEY_READ_WRITE, PKS_KEY_PGMAP, pks, threadOf, type PX } from '../arch/x86/include/asm/pks.js';
import { pte_pkey } from '../arch/x86/mm/fault.js';
import { pks_update_protection } from '../arch/x86/mm/pkeys.js';
import { pks_mk_noaccess, pks_mk_readwrite } from './pks-global.js';

const asPks = (x: X) => x as unknown as PX;

/** page_is_access_protected(): a PGMAP_PROTECTION page while the static key is on. */
function protectedKey(x: PX, page: number): number {
  return pte_pkey(x, page) === PKS_KEY_PGMAP ? PKS_KEY_PGMAP : 0;
}

/** __pgmap_set_readwrite / dev_access_enable: the context's first grant opens the key. */
function* access_enable(x: PX, key: number, global: boolean): Gen {
  const p = pks(x);
  const t = threadOf(p, x.current().id);
  const first = p.cfg.mutant === 'M-A2-inc' ? t.count++ !== 0 : t.count++ === 0;
  if (!first) return;
  if (p.cfg.design === 'V-GLOBAL') yield* pks_mk_readwrite(x, key, global);
  else pks_update_protection(x, key, PKEY_READ_WRITE);
}

/** __pgmap_set_noaccess / dev_access_disable: the last revoke closes it. */
function* access_disable(x: PX, key: number, global: boolean): Gen {
  const p = pks(x);
  const t = threadOf(p, x.current().id);
  const last = --t.count === 0 || p.cfg.mutant === 'M-A2-dec';
  if (!last) return;
  if (p.cfg.design === 'V-GLOBAL') yield* pks_mk_noaccess(x, key, global);
  else pks_update_protection(x, key, PKEY_NO_ACCESS);
}

/** atomic_inc/dec(&page->unprotect); M-A5 makes it a load and a store, two steps. */
function* unprotect_add(x: PX, page: number, d: number): Gen {
  const p = pks(x);
  if (p.cfg.mutant !== 'M-A5') {
    p.unprotect[page]! += d;
    return;
  }
  const v = p.unprotect[page]!;
  yield { fn: d > 0 ? 'kmap' : 'kunmap', what: `page->unprotect = ${v + d}` };
  p.unprotect[page] = v + d;
}

type Hook = (x: PX, page: number, key: number) => Gen;

function hooks(on: { kmap?: Hook; kunmap?: Hook; local: Hook; unlocal: Hook }): PageProtectionHooks {
  const wrap = (h: Hook | undefined) => h && function* (x: X, page: number): Gen {
    const px = asPks(x);
    const key = protectedKey(px, page);
    if (key !== 0) yield* h(px, page, key);
  };
  return { kmap: wrap(on.kmap), kunmap: wrap(on.kunmap), kmap_local: wrap(on.local), kunmap_local: wrap(on.unlocal) };
}

const local: Hook = (x, _page, key) => access_enable(x, key, false);
const unlocal: Hook = (x, _page, key) => access_disable(x, key, false);

export function pksKmapHooks(design: string): PageProtectionHooks {
  switch (design) {
    case 'V-RFC': return hooks({ kmap: local, kunmap: unlocal, local, unlocal });
    case 'V-GLOBAL': return hooks({
      kmap: (x, _page, key) => access_enable(x, key, true),
      kunmap: (x, _page, key) => access_disable(x, key, true),
      local, unlocal,
    });
    case 'V-TGLX': return hooks({
      kmap: (x, page) => unprotect_add(x, page, 1),
      kunmap: (x, page) => unprotect_add(x, page, -1),
      local, unlocal,
    });
    default: return hooks({ local, unlocal });
  }
}
