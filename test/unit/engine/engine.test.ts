/**
 * The engine's scheduling rules on purpose-built programs: what counts as a preemption, that a
 * task runs before it can be switched away, that a body without a yield still finishes (and
 * starts as `current` where it is scheduled), that random reaches bugs needing many preemptions,
 * and the general kernel invariants judged from the engine's ghost records.
 */
import { describe, expect, test } from 'vitest';
import { check } from '../../../src/check/check.js';
import { execute, type ExecOptions } from '../../../src/engine/engine.js';
import type { Strategy } from '../../../src/engine/strategy.js';
import type { Protocol } from '../../../src/protocol.js';
import { mutex_unlock } from '../../../src/kernel/kernel/locking/mutex.js';
import type { CpuId } from '../../../src/sim/ids.js';
import { add_wait_queue, finish_wait, local_bh_disable, local_bh_enable, preempt_disable, preempt_enable, spin_lock, spin_unlock, type Gen } from '../../../src/sim/thread.js';
import { toyProtocol, variant, type ToyExec } from '../../helpers/toy.js';

type K = Record<string, number>;
const exec = (o: Partial<ExecOptions> = {}): ExecOptions => ({ cpus: 2, maxSteps: 500, maxPreemptions: Infinity, maxEnvSteps: 0, trace: true, ...o });

/** Plays a fixed list of choices, recording the keys it was offered at each decision. */
class Scripted implements Strategy {
  readonly keyed = true;
  readonly offered: string[][] = [];
  constructor(private readonly picks: number[]) {}
  next(n: number, keys?: readonly string[]): number {
    this.offered.push([...keys!]);
    return Math.min(this.picks[this.offered.length - 1] ?? 0, n - 1);
  }
}

const steps = (name: string, n: number) => function* (x: ToyExec<K>): Gen {
  for (let i = 0; i < n; i++) {
    yield { fn: name, what: `${name}${i}` };
    x.w.k[name] = (x.w.k[name] ?? 0) + 1;
  }
};

describe('a preemption is a switch away from a unit that could have gone on', () => {
  const two = toyProtocol<K>({ name: 'toy-two', k: () => ({}), tasks: () => [{ name: 'A', cpu: 0, run: steps('a', 2) }, { name: 'B', cpu: 1, run: steps('b', 2) }] }) as unknown as Protocol;

  test('picking the other CPU while the last one can go on counts; going on does not', () => {
    // the first decision is free (nothing ran yet): a0; then b0 preempts A; b1 goes on; back to a
    // once B ended is free again
    const r = execute(two, two.variants[0]!, null, new Scripted([0, 1, 0]), exec());
    expect(r.trace!.map((s) => s.what)).toEqual(['a0', 'b0', 'b1', 'a1']);
    expect(r.preemptions).toBe(1);
    expect(r.trace!.filter((s) => s.preempted).map((s) => s.what)).toEqual(['b0']);
  });

  test('a switch after the last unit ended is free', () => {
    const r = execute(two, two.variants[0]!, null, new Scripted([0, 0, 0]), exec());
    expect(r.trace!.map((s) => s.what)).toEqual(['a0', 'a1', 'b0', 'b1']);
    expect(r.preemptions).toBe(0);
  });

  test('with a bound of 0 a unit that can go on must: after the free first pick, no decision is offered', () => {
    const s = new Scripted([1, 1, 1]);
    const r = execute(two, two.variants[0]!, null, s, exec({ maxPreemptions: 0 }));
    expect(r.trace!.map((t) => t.what)).toEqual(['b0', 'b1', 'a0', 'a1']);
    expect(s.offered).toHaveLength(1);
    expect(r.preemptions).toBe(0);
  });

  const spinner = toyProtocol<K>({
    name: 'toy-wait',
    k: () => ({ flag: 0 }),
    tasks: () => [
      { name: 'W', cpu: 0, *run(x: ToyExec<K>) { yield { fn: 'wait', what: 'until flag', until: () => x.w.k.flag === 1 }; } },
      { name: 'S', cpu: 1, *run(x: ToyExec<K>) { yield { fn: 'set', what: 'flag = 1' }; x.w.k.flag = 1; } },
    ],
  }) as unknown as Protocol;

  test('a unit that waits cannot go on: running another is free', () => {
    const r = execute(spinner, spinner.variants[0]!, null, new Scripted([]), exec());
    // W's first step only starts it: its first action must wait for the flag
    expect(r.trace!.map((s) => s.what)).toEqual(['starts', 'flag = 1', 'until flag']);
    expect(r.preemptions).toBe(0);
  });
});

describe('a task switched in runs a step before it can be switched away', () => {
  const queued = toyProtocol<K>({ name: 'toy-queued', k: () => ({}), tasks: () => [{ name: 'A', cpu: 0, run: steps('a', 2) }, { name: 'B', cpu: 0, run: steps('b', 2) }] }) as unknown as Protocol;

  test('no switch is offered before A has run, and none back to A before B has run', () => {
    const s = new Scripted([1, 0, 0, 0, 0, 0]);
    const r = execute(queued, queued.variants[0]!, null, s, exec({ cpus: 1 }));
    expect(r.failure).toBeNull();
    // the first decision comes after A's first step: run A again, or preempt it for B
    expect(s.offered[0]).toEqual(['u0.1@0', 's0>u1']);
    // after the switch to B (3 steps of the scheduler), B runs before anything else is offered
    const firstB = r.trace!.findIndex((t) => t.what === 'b0');
    expect(r.trace!.slice(0, firstB).some((t) => t.what.startsWith('preempt: B'))).toBe(false);
    expect(r.preemptions).toBe(1);
  });
});

describe('thread bodies', () => {
  const empty = toyProtocol<K>({
    name: 'toy-empty',
    k: () => ({ seen: -1 }),
    tasks: () => [
      // eslint-disable-next-line require-yield
      { name: 'E', cpu: 0, *run() { /* nothing to do */ } },
      { name: 'F', cpu: 0, *run(x: ToyExec<K>) { x.w.k.seen = x.current().id; yield { fn: 'f', what: 'f0' }; } },
    ],
  }) as unknown as Protocol;

  test('a body that never yields finishes (no false deadlock)', () => {
    const r = execute(empty, empty.variants[0]!, null, new Scripted([]), exec({ cpus: 1 }));
    expect(r.failure).toBeNull();
  });

  test('code before the first yield runs where the task is scheduled, as current', () => {
    const r = execute(empty, empty.variants[0]!, null, new Scripted([]), exec({ cpus: 1 }));
    expect(r.failure).toBeNull();
    // F is task 2 (task 0 is the idle task, 1 is E): it saw itself, not E, as current
    const p = empty as Protocol<K>;
    let seen = -2;
    const inv = [{ name: 'toy-empty/seen', description: 'records', final: true, check: (w: { k: K }) => { seen = w.k.seen!; return null; } }];
    execute(p, p.variants[0]!, null, new Scripted([]), exec({ cpus: 1, extraInvariants: inv }));
    expect(seen).toBe(2);
  });
});

/** Two tasks take turns 5 times each: the bug is a strictly alternating run of 9 steps, 8 preemptions. */
const alternation = toyProtocol<{ log: string }>({
  name: 'toy-alternation',
  k: () => ({ log: '' }),
  tasks: () => ['A', 'B'].map((name, cpu) => ({
    name, cpu,
    *run(x: ToyExec<{ log: string }>) {
      for (let i = 0; i < 8; i++) {
        yield { fn: name, what: `${name}${i}` };
        x.w.k.log += name;
      }
    },
  })),
  invariants: [{
    name: 'toy-alternation/no-long-alternation',
    description: 'never 9 strictly alternating steps',
    check: (w) => (/(AB){4}A|(BA){4}B/.test(w.k.log) ? `alternating run in ${w.k.log}` : null),
  }],
});

describe('random reaches deep preemption bugs at default settings', () => {

  test('a bug needing 8 preemptions is found with no options but runs and seed', () => {
    const r = check({ protocol: alternation, runs: 3000, seed: 7 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.preemptions).toBeGreaterThanOrEqual(8);
    expect(r.stats.bounds).toEqual({ preemptions: null, envSteps: 32, steps: 5000, preempt: 'full' });
  });

  test('a preemption bound below 8 rules it out, and the report says which bound applied', () => {
    const r = check({ protocol: alternation, runs: 3000, seed: 7, maxPreemptions: 7 });
    expect(r.ok).toBe(true);
    expect(r.stats.bounds?.preemptions).toBe(7);
  });
});

describe('general kernel invariants, from the ghost records', () => {
  type Bug = 'irq' | 'lock' | 'negative' | 'bh' | 'bh-negative' | 'foreign-unlock' | 'free-unlock' | 'ipi-preemptible' | 'ends-queued';
  const bugOf = (v: { config: unknown }) => (v.config as { bug?: Bug }).bug;
  const leaky = toyProtocol<K>({
    name: 'toy-leaks',
    variants: [
      variant('balanced'),
      variant('irq-leaks-preempt', true, { bug: 'irq' }, 'kernel/context-balance'),
      variant('exits-holding-lock', true, { bug: 'lock' }, 'kernel/context-balance'),
      variant('negative-count', true, { bug: 'negative' }, 'kernel/counts'),
      variant('exits-with-bh-disabled', true, { bug: 'bh' }, 'kernel/context-balance'),
      variant('negative-bh', true, { bug: 'bh-negative' }, 'kernel/counts'),
      variant('unlocks-anothers-lock', true, { bug: 'foreign-unlock' }, 'kernel/lock-owner'),
      variant('unlocks-a-free-lock', true, { bug: 'free-unlock' }, 'kernel/lock-owner'),
      variant('ipi-while-preemptible', true, { bug: 'ipi-preemptible' }, 'kernel/ipi-pinned'),
      variant('ends-queued', true, { bug: 'ends-queued' }, 'kernel/quiescent'),
    ],
    k: () => ({}),
    tasks: (_, v) => [{
      name: 'T', cpu: 0,
      *run(x: ToyExec<K>) {
        const bug = bugOf(v);
        if (bug === 'lock') yield* spin_lock(x, 'l', 'work');
        yield { fn: 'work', what: 'step' };
        if (bug === 'negative') x.current().preempt_count--;
        // what every variant does right: a bh section, a lock, a pinned IPI, a wait queue left
        local_bh_disable(x);
        if (bug !== 'bh') yield* local_bh_enable(x, 'work');
        if (bug === 'bh-negative') yield* local_bh_enable(x, 'work');
        yield* spin_lock(x, 'm', 'work');
        yield { fn: 'work', what: 'in m' };
        spin_unlock(x, 'm');
        if (bug === 'free-unlock') mutex_unlock(x, 'm');
        if (bug !== 'ipi-preemptible') preempt_disable(x);
        const done = x.ipi(1 as CpuId, 'ipi', function* () { yield { fn: 'ipi', what: 'handler' }; });
        yield { fn: 'work', what: 'wait for the IPI', until: done };
        if (bug !== 'ipi-preemptible') preempt_enable(x);
        add_wait_queue(x, 'wq');
        yield { fn: 'work', what: 'queued' };
        if (bug !== 'ends-queued') finish_wait(x);
      },
    }, {
      name: 'U', cpu: 1,
      *run(x: ToyExec<K>) {
        if (bugOf(v) !== 'foreign-unlock') return;
        // mutex_unlock() of a lock T holds (deleting the owner whoever holds it), if T has not ended first
        const tDone = () => x.w.tasks.some((t) => t.name === 'T' && t.state === 'done');
        yield { fn: 'other', what: 'mutex_unlock(&m)', until: () => x.w.locks.m !== undefined || tDone() };
        if (!tDone()) delete x.w.locks.m;
      },
    }],
    irqs: (_, v) => [{
      name: 'irq0', cpu: 0, kind: 'hardirq',
      *run(x: ToyExec<K>) {
        yield { fn: 'handler', what: 'step' };
        if (bugOf(v) === 'irq') preempt_disable(x);
      },
    }],
  });

  const buggy = leaky.variants.filter((v) => v.buggy).map((v) => v.name);
  test.each(buggy)('%s is caught by its general invariant', (name) => {
    const r = check({ protocol: leaky, variant: name, runs: 200, seed: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.invariant).toBe(leaky.variants.find((v) => v.name === name)!.expect);
  });

  test('the messages name the culprit: who released whose lock, who sent from where, who ended queued', () => {
    const message = (variant: string) => {
      const r = check({ protocol: leaky, variant, runs: 200, seed: 1 });
      return r.ok ? '' : r.failure.message;
    };
    expect(message('unlocks-anothers-lock')).toBe('task U released m, which task T holds');
    expect(message('unlocks-a-free-lock')).toBe('task T released m, which nobody holds');
    expect(message('ipi-while-preemptible')).toMatch(/^ipi sent to cpu1 by T in thread on cpu0, preemptible$/);
    expect(message('ends-queued')).toBe('T ended queued on wq');
    expect(message('exits-with-bh-disabled')).toBe('task T on cpu0 exited: softirq_disabled 0 → 1');
  });

  test('the balanced variant holds', () => {
    expect(check({ protocol: leaky, variant: 'balanced', runs: 200, seed: 1 }).ok).toBe(true);
  });
});

describe('exception handlers that enable irqs can be preempted, and their frame travels with the task', () => {
  const trap = toyProtocol<K>({
    name: 'toy-trap',
    k: () => ({ handled: 0 }),
    tasks: () => [
      {
        name: 'A', cpu: 0,
        *run(x: ToyExec<K>) {
          yield { fn: 'a', what: 'faulting access' };
          yield* x.exception('#GP', function* (xe: ToyExec<K>) {
            yield { fn: 'exc_general_protection', what: 'cond_local_irq_enable()' };
            xe.cpuState().irqsOff = false;
            yield { fn: 'exc_general_protection', what: 'handle' };
            xe.w.k.handled = 1;
            yield { fn: 'exc_general_protection', what: 'cond_local_irq_disable()' };
            xe.cpuState().irqsOff = true;
          });
        },
      },
      { name: 'B', cpu: 0, run: steps('b', 1) },
    ],
  }) as unknown as Protocol;

  test('irqs off (interrupt gate): no switch; once the handler enables them, B may run in between', () => {
    const s = new Scripted([]);
    const offered: string[][] = [];
    const probe = { keyed: true, next: (n: number, keys?: readonly string[]) => { offered.push([...keys!]); return s.next(n, keys); } };
    execute(trap, trap.variants[0]!, null, probe, exec({ cpus: 1 }));
    // the switch to B is offered only at the handler's steps that run with irqs on
    const whenSwitchable = offered.map((k) => k.some((key) => key.startsWith('s0>')));
    expect(whenSwitchable.filter(Boolean).length).toBeGreaterThan(0);
    // preempt A inside the handler, run B, come back: the handler finishes and returns balanced
    const r = execute(trap, trap.variants[0]!, null, new Scripted(offered.map((k) => {
      const i = k.findIndex((key) => key.startsWith('s0>'));
      return i;
    }).map((i) => Math.max(i, 0))), exec({ cpus: 1 }));
    expect(r.failure).toBeNull();
    const whats = r.trace!.map((t) => t.what);
    expect(whats.indexOf('b0')).toBeGreaterThan(whats.indexOf('cond_local_irq_enable()'));
    expect(whats.indexOf('b0')).toBeLessThan(whats.indexOf('return from #GP'));
  });
});

describe('preemption models', () => {
  const queued = (resched: boolean) => toyProtocol<K>({
    name: `toy-model-${resched}`,
    k: () => ({}),
    tasks: () => [
      { name: 'A', cpu: 0, *run() { yield { fn: 'a', what: 'a0' }; yield { fn: 'a', what: 'a1', ...(resched ? { resched: 'cond' as const } : {}) }; yield { fn: 'a', what: 'a2' }; } },
      { name: 'B', cpu: 0, run: steps('b', 1) },
    ],
  }) as unknown as Protocol;
  const switches = (p: Protocol, preempt: 'none' | 'voluntary' | 'full' | 'rt') => {
    const s = new Scripted([]);
    execute(p, p.variants[0]!, null, s, exec({ cpus: 1, preempt }));
    return s.offered.filter((k) => k.some((key) => key.startsWith('s0>'))).length;
  };

  test('full preemption may switch A away at any of its steps; none only at cond_resched()', () => {
    expect(switches(queued(false), 'full')).toBe(2);
    expect(switches(queued(false), 'none')).toBe(0);
    expect(switches(queued(true), 'none')).toBe(1);
    expect(switches(queued(true), 'voluntary')).toBe(1);
  });

  const holder = toyProtocol<K>({
    name: 'toy-rt',
    k: () => ({}),
    tasks: () => [
      { name: 'A', cpu: 0, *run(x: ToyExec<K>) { yield* spin_lock(x, 'l', 'a'); yield { fn: 'a', what: 'in the critical section' }; spin_unlock(x, 'l'); yield { fn: 'a', what: 'after' }; } },
      { name: 'B', cpu: 0, run: steps('b', 1) },
    ],
  }) as unknown as Protocol;

  test('PREEMPT_RT: a spinlock_t holder may be preempted (migration stays disabled); otherwise not', () => {
    // decisions that offer switching A away: after the unlock only, or also inside the section
    const offers = (preempt: 'full' | 'rt') => {
      const s = new Scripted([]);
      execute(holder, holder.variants[0]!, null, s, exec({ cpus: 1, preempt }));
      return s.offered.filter((k) => k.some((key) => key.startsWith('s0>'))).length;
    };
    expect(offers('full')).toBe(1);
    expect(offers('rt')).toBe(2);
  });
});
