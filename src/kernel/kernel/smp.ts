/**
 * on_each_cpu_mask(mask, func, info, wait=1) (kernel/smp.c): runs func on every CPU of the mask,
 * locally with irqs off and remotely as an IPI, and waits for all of them. The mask is read once,
 * at one step: a CPU that sets its bit later is not interrupted, which is why the switch path
 * must read the shared value after setting its bit (Andy: "protected by mm_cpumask").
 */
import { count } from '../../sim/world.js';
import { preempt_disable, preempt_enable, type Gen } from '../../sim/thread.js';
import type { CpuId } from '../../sim/ids.js';
import type { X } from '../mm/pasid-types.js';

export function* on_each_cpu_mask(x: X, what: string, mask: () => boolean[], name: string, func: (x: X) => Gen): Gen {
  preempt_disable(x);
  yield { fn: 'on_each_cpu_mask', what: `read ${what}` };
  const targets = mask().flatMap((on, cpu) => (on ? [cpu] : [])); // unreached: in memregion runs: wbinvd_on_all_cpus() passes cpu_online_mask, every CPU set (pasid's mm_cpumask takes it)
  const me = x.cpu();
  const waits: (() => boolean)[] = [];
  for (const cpu of targets) {
    if (cpu === me) continue;
    count(x.w, 'ipi');
    waits.push(x.ipi(cpu as CpuId, `${name}→cpu${cpu}`, func));
  }
  if (targets.includes(me)) {
    const c = x.cpuState();
    const saved = c.irqsOff;
    c.irqsOff = true;
    yield* func(x);
    c.irqsOff = saved;
  }
  if (waits.length > 0) yield { fn: 'smp_call_function_many', what: 'wait for the IPIs to complete', until: () => waits.every((done) => done()) };
  preempt_enable(x);
}
