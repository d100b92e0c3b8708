/** in_atomic() as the kernel model asks it (kmap()'s might_sleep() check): what counts as atomic. */
import { describe, expect, test } from 'vitest';
import { createWorld, inAtomic } from '../../../src/sim/world.js';

describe('inAtomic', () => {
  test('preemption, bottom halves or irqs off make a thread context atomic; nothing else', () => {
    const w = createWorld(1, {});
    const cpu = w.cpus[0]!;
    const t = w.tasks[cpu.curr]!;
    expect(inAtomic(w, cpu)).toBe(false);
    t.preempt_count = 1;
    expect(inAtomic(w, cpu)).toBe(true);
    t.preempt_count = 0;
    // local_bh_disable() adds SOFTIRQ_DISABLE_OFFSET to preempt_count()
    t.softirq_disabled = 1;
    expect(inAtomic(w, cpu)).toBe(true);
    t.softirq_disabled = 0;
    cpu.irqsOff = true;
    expect(inAtomic(w, cpu)).toBe(true);
  });

  test('on PREEMPT_RT a bh-disabled section stays preemptible', () => {
    const w = createWorld(1, {}, 'rt');
    const cpu = w.cpus[0]!;
    w.tasks[cpu.curr]!.softirq_disabled = 1;
    expect(inAtomic(w, cpu)).toBe(false);
  });
});
