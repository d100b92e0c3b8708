/**
 * The x86 implementation of the memregion interface (arch/x86/mm/pat/set_memory.c):
 *  - v3, Davidlohr Bueso <20220919110605.3696-1-dave@stgolabs.net>: has() is
 *    !cpu_feature_enabled(X86_FEATURE_HYPERVISOR); invalidate() is wbinvd_on_all_cpus(); both
 *    EXPORT_SYMBOL_GPL; x86-64 only;
 *  - v5, Dan Williams <166698148737.3132474.5901874516011784201.stgit@dwillia2-xfh.jf.intel.com>
 *    (merged for v6.2): invalidate() starts with WARN_ON_ONCE(!has()) and returns -ENXIO (Dave
 *    Hansen's request), both exported in the DEVMEM namespace, all of x86.
 * Mutants: M-E1 has() true under a hypervisor, M-E2 no gate, M-E6 wbinvd() on this CPU only.
 * The res_desc argument (IORES_DESC_*) is unused by the x86 code and left out.
 */
import { WARN_ON_ONCE, type Gen } from '../../../../../sim/thread.js';
import { ENXIO, X86_FEATURE_HYPERVISOR, type MemregionConfig, type X } from '../../../../mm/memregion-types.js';
import { wbinvd } from '../../include/asm/special_insns.js';
import { wbinvd_on_all_cpus } from '../../lib/cache-smp.js';

export function arch_cpu_cache_has_invalidate_memregion(x: X): boolean {
  return x.w.k.cfg.hasUnderHypervisor || !X86_FEATURE_HYPERVISOR(x.w.k.hw);
}

export function* arch_cpu_cache_invalidate_memregion(x: X): Gen<number> {
  const cfg = x.w.k.cfg;
  if (cfg.api === 'v5' && cfg.invalidateGate
    && WARN_ON_ONCE(x, !arch_cpu_cache_has_invalidate_memregion(x), 'cpu_cache_invalidate_memregion', 'WARN_ON_ONCE(!cpu_cache_has_invalidate_memregion())')) {
    return ENXIO;
  }
  if (!cfg.wbinvdAllCpus) {
    yield* wbinvd(x);
    return 0;
  }
  return yield* wbinvd_on_all_cpus(x);
}

/** EXPORT_SYMBOL_NS_GPL(..., DEVMEM) since v4/v5; plain EXPORT_SYMBOL_GPL in v3 (''); undefined: not exported yet. */
export function memregion_export_namespace(cfg: MemregionConfig): string | undefined {
  return cfg.api === null ? undefined : cfg.api === 'v5' ? 'DEVMEM' : '';
}
