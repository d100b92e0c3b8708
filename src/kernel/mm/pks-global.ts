/**
 * V-GLOBAL: pks_mk_readwrite/noaccess(pkey, bool global) with pkrs_global_cache (01/58
 * <20201009195033.3208459-2-ira.weiny@intel.com>). A global grant is lazy: other CPUs pick it up
 * through a spurious PK fault. A global restrict is either left to each CPU's next switch (Ira:
 * "I contemplated not doing a global update at all and just leave the access open until the next
 * context switch", <20201218194249.GE1563847@iweiny-DESK2.sc.intel.com>) or forced on every CPU
 * by update_global_pkrs(), which tglx found broken (<87mtycqcjf.fsf@nanos.tec.linutronix.de>):
 * (a) per_cpu_ptr() paired with put_cpu_ptr(); (b) a remote read-modify-write of pkrs_cache;
 * (c) wrmsrl_on_cpu() on every online CPU.
 */
import { preempt_disable, preempt_enable, type Gen } from '../../sim/thread.js';
import { count } from '../../sim/world.js';
import type { CpuId } from '../../sim/ids.js';
import { PKEY_NO_ACCESS, PKEY_READ_WRITE, pkey_update_pkval, pks, threadOf, type PX } from '../arch/x86/include/asm/pks.js';
import { pks_update_protection, pks_write_pkrs, thread_pkrs_live, wrmsrl_pkrs } from '../arch/x86/mm/pkeys.js';

export function* pks_mk_readwrite(x: PX, key: number, global: boolean): Gen {
  const p = pks(x);
  if (!global) return pks_update_protection(x, key, PKEY_READ_WRITE);
  p.pkrs_global = pkey_update_pkval(p.pkrs_global, key, PKEY_READ_WRITE);
  const t = threadOf(p, x.current().id);
  // M-A3: the global grant sticks to this task's saved value
  if (p.cfg.mutant === 'M-A3-sticky') t.pkrs = pkey_update_pkval(t.pkrs, key, PKEY_READ_WRITE);
  pks_write_pkrs(x, thread_pkrs_live(p, t));
}

export function* pks_mk_noaccess(x: PX, key: number, global: boolean): Gen {
  const p = pks(x);
  if (!global) return pks_update_protection(x, key, PKEY_NO_ACCESS);
  const t = threadOf(p, x.current().id);
  if (p.cfg.mutant === 'M-A3-local') {
    // M-A3: only this CPU is restricted, the global value keeps the grant
    pks_write_pkrs(x, pkey_update_pkval(p.pkrs_cache[x.cpu()]!, key, PKEY_NO_ACCESS));
    return;
  }
  p.pkrs_global = pkey_update_pkval(p.pkrs_global, key, PKEY_NO_ACCESS);
  const v = thread_pkrs_live(p, t);
  if (p.cfg.mutant === 'M-A3-cache') p.pkrs_cache[x.cpu()] = v; // M-A3: cache updated, MSR not
  else pks_write_pkrs(x, v);
  if (p.cfg.globalRestrict !== 'lazy') yield* update_global_pkrs(x, key);
}

/** Forces the restriction onto every other online CPU, as 01/58 did. */
function* update_global_pkrs(x: PX, key: number): Gen {
  const p = pks(x);
  const self = x.cpu();
  for (const c of x.w.cpus) {
    if (c.id === self) continue;
    if (p.cfg.putCpuPtr) {
      yield { fn: 'update_global_pkrs', what: `ptr = per_cpu_ptr(&pkrs_cache, ${c.id})` };
    }
    if (p.cfg.globalRestrict === 'remote-rmw') {
      yield { fn: 'update_global_pkrs', what: `read per_cpu(pkrs_cache, ${c.id})` };
      const v = pkey_update_pkval(p.pkrs_cache[c.id]!, key, PKEY_NO_ACCESS);
      yield { fn: 'update_global_pkrs', what: `per_cpu(pkrs_cache, ${c.id}) = ${v >>> 0}; wrmsrl_on_cpu(${c.id})` };
      p.pkrs_cache[c.id] = v;
      yield* wrmsrl_on_cpu(x, c.id, function* (xi: PX) {
        yield { fn: 'wrmsrl_on_cpu', what: `WRMSR PKRS on cpu${c.id}` };
        wrmsrl_pkrs(xi, xi.cpu(), v);
      });
    } else {
      yield { fn: 'update_global_pkrs', what: `wrmsrl_on_cpu(${c.id}): restrict key ${key}` };
      yield* wrmsrl_on_cpu(x, c.id, function* (xi: PX) {
        yield { fn: 'wrmsrl_on_cpu', what: `restrict key ${key} on cpu${c.id}` };
        pks_write_pkrs(xi, pkey_update_pkval(pks(xi).pkrs_cache[xi.cpu()]!, key, PKEY_NO_ACCESS));
      });
    }
    // (a): put_cpu_ptr() enables preemption that per_cpu_ptr() never disabled
    if (p.cfg.putCpuPtr) x.current().preempt_count--;
  }
}

/**
 * wrmsrl_on_cpu(): smp_call_function_single(cpu, ..., wait=1) (kernel/smp.c, v5.10), which IPIs
 * isolated CPUs too, with get_cpu() around the send and csd_lock_wait(): the caller is not
 * preemptible while it sends and waits. `cpu` is never the caller's own (the loop skips it).
 */
function* wrmsrl_on_cpu(x: PX, cpu: number, handler: (x: PX) => Gen): Gen {
  preempt_disable(x); // this_cpu = get_cpu()
  count(x.w, 'ipi');
  const done = x.ipi(cpu as CpuId, 'pkrs_ipi', handler);
  yield { fn: 'update_global_pkrs', what: `wait for cpu${cpu}`, until: done };
  preempt_enable(x); // put_cpu()
}
