/**
 * The changing part of a World, saved, restored and hashed without serialising it. A search
 * hashes and saves a state at every step; for small models the engine's own bookkeeping (CPU
 * contexts, task records with their names) outweighed the model's variables, so only what can
 * change is kept: per CPU its current task, irq flag and contexts; per task its state, CPU,
 * counts, wait queue and saved exception frames; the locks, warnings and the protocol's state.
 */
import type { Ctx, Task, World } from '../sim/world.js';
import { clonePlain, hasher } from './plain.js';

export interface SavedWorld<K> {
  cpus: { curr: number; irqsOff: boolean; ctx: Ctx[] }[];
  tasks: Pick<Task, 'state' | 'cpu' | 'preempt_count' | 'migrate_disable' | 'pagefault_disabled' | 'softirq_disabled' | 'frames' | 'waitOn' | 'sleeping'>[];
  /** tasks the run created (fork): kept whole */
  created: Task[];
  locks: World<K>['locks'];
  warnings: string[];
  warnedOnce: string[];
  k: K;
}

const dynamic = (t: Task): SavedWorld<unknown>['tasks'][number] => ({
  state: t.state, cpu: t.cpu, preempt_count: t.preempt_count, migrate_disable: t.migrate_disable, pagefault_disabled: t.pagefault_disabled,
  softirq_disabled: t.softirq_disabled, frames: t.frames.map((c) => ({ ...c })), waitOn: t.waitOn, sleeping: t.sleeping,
});

/** The World's changing part, copied; the first `fixedTasks` tasks are the workload's own. */
export function saveWorld<K>(w: World<K>, fixedTasks: number): SavedWorld<K> {
  return {
    cpus: w.cpus.map((c) => ({ curr: c.curr, irqsOff: c.irqsOff, ctx: c.ctx.map((x) => ({ ...x })) })),
    tasks: w.tasks.map(dynamic),
    created: w.tasks.slice(fixedTasks).map((t) => clonePlain(t)),
    locks: { ...w.locks }, warnings: [...w.warnings], warnedOnce: [...w.warnedOnce], k: clonePlain(w.k),
  };
}

/** Writes a saved state back into `w` (its CPU and task objects stay the same objects); the saved copy stays intact. */
export function loadWorld<K>(w: World<K>, s: SavedWorld<K>, fixedTasks: number): void {
  s.cpus.forEach((c, i) => Object.assign(w.cpus[i]!, { curr: c.curr, irqsOff: c.irqsOff, ctx: c.ctx.map((x) => ({ ...x })) }));
  w.tasks.length = fixedTasks;
  for (const t of s.created) w.tasks.push(clonePlain(t));
  s.tasks.forEach((d, i) => Object.assign(w.tasks[i]!, { ...d, frames: d.frames.map((c) => ({ ...c })) }));
  w.locks = { ...s.locks };
  w.warnings = [...s.warnings];
  w.warnedOnce = [...s.warnedOnce];
  w.k = clonePlain(s.k);
  w.counters = {};
}

/** Feeds the World's changing part to the hasher (between hasher.begin() and end()). */
export function hashWorld<K>(w: World<K>): void {
  for (const c of w.cpus) {
    hasher.num(c.curr);
    hasher.num(c.irqsOff ? 1 : 0);
    hasher.num(c.ctx.length);
    for (const x of c.ctx) { hasher.str(x.kind); hasher.num(x.unit); hasher.num(x.savedIrqsOff ? 1 : 0); }
  }
  hasher.num(w.tasks.length);
  for (const t of w.tasks) {
    hasher.str(t.state);
    hasher.num(t.cpu);
    hasher.num(t.preempt_count);
    hasher.num(t.migrate_disable);
    hasher.num(t.pagefault_disabled);
    hasher.num(t.softirq_disabled);
    hasher.value(t.frames);
    hasher.value(t.waitOn);
    hasher.num(t.sleeping ? 1 : 0);
  }
  hasher.value(w.locks);
  hasher.value(w.warnings);
  hasher.value(w.warnedOnce);
  hasher.value(w.k);
}
