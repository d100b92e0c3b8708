/**
 * What a scheduling decision offers: run a CPU's innermost context, enter an interrupt, switch a
 * CPU's task, take an environment action. Choice 0 continues the CPU that ran last when it can
 * run; `cont` says whether the unit that ran last can go on, so that any other choice preempts it.
 */
import { topCtx, type Cpu } from '../sim/world.js';
import type { Machine } from './machine.js';
import { actionReady, type Choice, type Unit } from './units.js';

export interface Bounds { maxPreemptions: number; maxEnvSteps: number }

/** The unit a CPU would run next, if it can run now. */
export function runnableUnit<K, E>(m: Machine<K, E>, cpu: Cpu): Unit | null {
  const id = topCtx(cpu).unit;
  if (id < 0) return null;
  const u = m.units[id]!;
  if (u.done) return null;
  if (u.kind === 'task' && m.w.tasks[u.task as number]!.state !== 'running') return null;
  if (!u.started) return u;
  return actionReady(u, m.w.locks, m.pendingOf(u)) ? u : null;
}

/** The choices of this state; once the preemption bound is used up, a unit that can go on must. */
export function runnable<K, E>(m: Machine<K, E>, b: Bounds): { choices: Choice[]; cont: boolean } {
  const out: Choice[] = [];
  const cpus = m.w.cpus;
  const last = cpus[m.lastCpu]!;
  const lastUnit = runnableUnit(m, last);
  // the unit that ran the last step can take the next one: anything else preempts it
  const cont = lastUnit !== null && lastUnit.id === m.lastUnit;
  if (lastUnit) {
    out.push({ kind: 'run', cpu: last, unit: lastUnit });
    if (cont && m.preemptions >= b.maxPreemptions) return { choices: out, cont };
  }
  for (const c of cpus) {
    if (c === last) continue;
    const u = runnableUnit(m, c);
    if (u) out.push({ kind: 'run', cpu: c, unit: u });
  }
  for (const u of m.units) {
    if (u.kind !== 'irq' || u.fired) continue;
    const c = cpus[u.cpu]!;
    if (u.irqKind === 'softirq') {
      // local_bh_enable() runs pending softirqs where it stands; otherwise they run at irq_exit
      // on the interrupted task, only with bottom halves enabled
      if (m.units[topCtx(c).unit]?.pending?.softirqs) out.push({ kind: 'irq', cpu: c, unit: u, bh: true });
      else if (!c.irqsOff && topCtx(c).kind === 'thread' && m.w.tasks[c.curr]!.softirq_disabled === 0) out.push({ kind: 'irq', cpu: c, unit: u });
      continue;
    }
    if (!c.irqsOff) out.push({ kind: 'irq', cpu: c, unit: u });
  }
  for (const c of cpus) {
    // only the task's own contexts on the CPU (thread, exceptions): no interrupt or switch in progress
    if (c.irqsOff || c.ctx.some((x, i) => i > 0 && x.kind !== 'exception') || !switchable(m, c)) continue;
    for (const t of m.w.tasks) {
      if (t.state !== 'runnable' || t.idle) continue;
      if (t.migrate_disable > 0 && t.cpu !== c.id) continue;
      out.push({ kind: 'switch', cpu: c, to: t });
    }
  }
  if (m.envSteps < b.maxEnvSteps && m.protocol.environment) {
    for (const action of m.protocol.environment(m.w)) out.push({ kind: 'env', cpu: cpus[action.cpu % cpus.length]!, action });
  }
  return { choices: out, cont };
}

/**
 * Whether a CPU may switch tasks now: always from the idle task or a blocked one; from a
 * running task only when the kernel could preempt it: preempt_count 0, not spinning on a lock
 * (spin_lock() does that with preemption off), run since it was switched in, and at a point the
 * preemption model allows (anywhere with full and rt; at marked scheduling points otherwise).
 */
function switchable<K, E>(m: Machine<K, E>, c: Cpu): boolean {
  const curr = m.w.tasks[c.curr]!;
  if (curr.idle || curr.state === 'blocked') return true;
  if (curr.preempt_count > 0 || m.fresh[c.id]) return false;
  const u = m.units[topCtx(c).unit];
  const p = u ? m.pendingOf(u) : null;
  if (p?.lock !== undefined && !p.lockSleeps) return false;
  switch (m.w.preempt) {
    case 'none': return p?.resched === 'cond' || p?.resched === 'user';
    case 'voluntary': return p?.resched !== undefined;
    default: return true;
  }
}
