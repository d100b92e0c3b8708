/**
 * wbinvd_on_all_cpus() (arch/x86/lib/cache-smp.c): on_each_cpu(__wbinvd, NULL, 1), i.e.
 * smp_call_function_many_cond() over cpu_online_mask: IPIs to every other CPU, __wbinvd() locally
 * with irqs off, then wait for all of them. The "global performance impact" of the thread: every
 * CPU stops to write back and drop its whole cache.
 */
import type { Exec, Gen } from '../../../../sim/thread.js';
import { on_each_cpu_mask } from '../../../kernel/smp.js';
import type { X } from '../../../mm/memregion-types.js';
import { wbinvd } from '../include/asm/special_insns.js';

/**
 * kernel/smp.ts implements on_each_cpu_mask() once, typed with the PASID protocol's Exec; its code
 * uses nothing of that protocol, so it is used here through its generic shape.
 */
const on_each_cpu = on_each_cpu_mask as unknown as (x: Exec<unknown, unknown>, what: string, mask: () => boolean[],
  name: string, func: (x: Exec<unknown, unknown>) => Gen) => Gen;

function* __wbinvd(x: X): Gen {
  yield* wbinvd(x);
}

export function* wbinvd_on_all_cpus(x: X): Gen<number> {
  yield* on_each_cpu(x as Exec<unknown, unknown>, 'cpu_online_mask', () => x.w.cpus.map(() => true), '__wbinvd',
    __wbinvd as (x: Exec<unknown, unknown>) => Gen);
  return 0;
}
