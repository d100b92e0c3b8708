/**
 * include/linux/memregion.h as in v3 <20220919110605.3696-1-dave@stgolabs.net> and v5
 * <166698148737.3132474.5901874516011784201.stgit@dwillia2-xfh.jf.intel.com>: with
 * CONFIG_ARCH_HAS_CPU_CACHE_INVALIDATE_MEMREGION the arch implementation, otherwise the stubs:
 * has() is static inline false, and invalidate() does WARN_ON_ONCE("CPU cache invalidation
 * required") (a string: the condition is always true, so it always warns, once) and fails with
 * -ENXIO (v5; v3 returned -EINVAL, which every caller ignores as well). As posted the stub was not static inline in the header (E.4 #2, a
 * link-time problem outside this model). Callers: "Users must first call
 * cpu_cache_has_invalidate_memregion()" (v3 changelog).
 */
import { WARN_ON_ONCE, type Gen } from '../../../sim/thread.js';
import { ENXIO, type X } from '../../mm/memregion-types.js';
import { arch_cpu_cache_has_invalidate_memregion, arch_cpu_cache_invalidate_memregion } from '../../arch/x86/mm/pat/set_memory.js';

export function cpu_cache_has_invalidate_memregion(x: X): boolean {
  if (!x.w.k.cfg.archHas) return false;
  return arch_cpu_cache_has_invalidate_memregion(x);
}

/** Both call sites of the WARN: where the kernel itself reports an invalidation it cannot do. */
export const INVALIDATE_WARN_SITES: readonly string[] = ['cpu_cache_invalidate_memregion', 'memregion.h:cpu_cache_invalidate_memregion'];

export function* cpu_cache_invalidate_memregion(x: X): Gen<number> {
  if (x.w.k.cfg.archHas) return yield* arch_cpu_cache_invalidate_memregion(x);
  yield { fn: 'cpu_cache_invalidate_memregion', what: '!ARCH_HAS stub' };
  WARN_ON_ONCE(x, true, INVALIDATE_WARN_SITES[1]!, 'WARN_ON_ONCE("CPU cache invalidation required")');
  return ENXIO;
}
