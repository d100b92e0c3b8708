/**
 * The simulated machine of one execution: the World, the execution units (tasks, interrupt
 * handlers, context switches in progress), the nested contexts on each CPU and the ghost records
 * of their entries and ends. It knows how a unit starts, takes a step, interrupts, switches and
 * ends; the Engine (engine.ts) decides which, and judges the result.
 */
import type { ContextKind, EnvAction, Protocol, Setup } from '../protocol.js';
import type { CpuId, TaskId } from '../sim/ids.js';
import type { Exec, Gen, YieldPoint } from '../sim/thread.js';
import { addTask, createWorld, topCtx, type Cpu, type Ctx, type PreemptModel, type Task, type World } from '../sim/world.js';
import { newGhost, type ContextSnapshot, type Ghost, type Release } from './ghost.js';
import { mix, type Recorder } from './record.js';
import { actionReady, type Unit } from './units.js';

/** Where a restartable program that yields nothing more (it has ended) would wait. */
const EXIT: YieldPoint = { fn: 'do_exit', what: 'program ends' };

/** The ghost's release list of a step that released nothing: shared, never written. */
const NO_RELEASES: readonly Release[] = [];

export class Machine<K, E> {
  w: World<K>;
  /** the world as kernel code sees it: `w` itself, or a recording proxy of it */
  kw: World<K>;
  units: Unit[] = [];
  ghost: Ghost;
  /** per CPU: its task was switched in and has not run a step yet (it cannot be preempted yet) */
  fresh: boolean[];
  stepNo = 0;
  specQueue: E[] = [];
  stepWarnings: string[] = [];
  /** locks x.unlock() released while free, in the current step */
  stepReleases: Release[] = [];
  /** the CPU and unit of the last step (choice 0 goes on with them) */
  lastCpu = 0;
  lastUnit = -1;
  preemptions = 0;
  /** choices other than the first (delay bounding) */
  delays = 0;
  envSteps = 0;
  /** still in setup: the first task of each CPU starts on it */
  private constructing = true;

  constructor(readonly protocol: Protocol<K, E>, readonly setup: Setup<K, E>, cpus: number, preempt: PreemptModel,
    private readonly record: Recorder | undefined) {
    this.w = createWorld(cpus, setup.k, preempt);
    this.kw = record ? record.wrap(this.w) : this.w;
    this.ghost = newGhost(cpus);
    this.fresh = this.w.cpus.map(() => false);
    for (const [i, p] of setup.tasks.entries()) this.newTask(p.name, (p.cpu % cpus) as CpuId, p.run, mix(0, i));
    for (const [i, p] of setup.irqs.entries()) {
      const unit = this.newUnit(p.name, 'irq', -1, (p.cpu % cpus) as CpuId, mix(1, i));
      unit.irqKind = p.kind;
      unit.handler = p.run;
    }
    this.constructing = false;
  }

  // ---- units --------------------------------------------------------------------------

  newUnit(name: string, kind: Unit['kind'], task: TaskId | -1, cpu: CpuId, history: number): Unit {
    const u = {
      id: this.units.length, name, kind, body: null, gen: null, pending: null, started: false, done: false, fired: false,
      steps: 0, task, cpu, history, restart: null, stale: false,
    } as unknown as Unit;
    u.x = this.exec(u);
    this.units.push(u);
    return u;
  }

  /** A new task, queued on `cpu` (or running there, for the first task of an idle CPU). */
  private newTask(name: string, cpu: CpuId, run: (x: Exec<K, E>) => Gen, history: number): Task {
    const t = addTask(this.w, name, cpu);
    const u = this.newUnit(`task ${name}`, 'task', t.id, cpu, history);
    u.body = run;
    if (this.protocol.restartable) {
      // nothing to start: where it waits follows from the World
      u.restart = run;
      u.started = true;
      u.stale = true;
      this.ghost.tasks[t.id] = { kind: 'task', name: u.name, cpu, step: this.stepNo, entry: this.snapshot(this.w.cpus[cpu]!, u.id, t.id) };
    }
    const c = this.w.cpus[cpu]!;
    if (this.constructing && this.w.tasks[c.curr]!.idle) {
      this.w.tasks[c.curr]!.state = 'runnable';
      c.curr = t.id;
      c.ctx[0] = { kind: 'thread', unit: u.id, savedIrqsOff: false };
      t.state = 'running';
      this.fresh[cpu] = true;
    }
    return t;
  }

  /** History seed of a unit created by `parent`'s code: its closure holds what the parent knew. */
  private childHistory(parent: Unit): number {
    return mix(mix(parent.history, this.record?.current() ?? 0), this.units.length);
  }

  taskUnit(t: Task): number {
    if (t.idle) return -1;
    return this.units.findIndex((u) => u.kind === 'task' && u.task === t.id);
  }

  /** The yield point a unit waits at: a restartable unit's is computed afresh from the World. */
  pendingOf(u: Unit): YieldPoint | null {
    if (u.restart && u.started && !u.done && u.stale) {
      const gen = u.restart(u.x);
      const r = gen.next();
      u.gen = gen;
      u.pending = r.done ? EXIT : r.value;
      u.stale = false;
    }
    return u.pending;
  }

  /** After a step changed the World, restartable units recompute where they wait. */
  invalidate(): void {
    for (const u of this.units) if (u.restart) u.stale = true;
  }

  /** The machine as a unit's code sees it; it reads the machine's current World, so it survives a restore. */
  private exec(u: Unit): Exec<K, E> {
    const m = this;
    const cpu = (): CpuId => (u.task === -1 ? u.cpu : m.kw.tasks[u.task]!.cpu);
    return {
      get w() { return m.kw; },
      unit: u.id, cpu,
      cpuState: () => m.kw.cpus[cpu()]!,
      current: () => m.kw.tasks[m.kw.cpus[cpu()]!.curr]!,
      emit: (ev: E) => { m.specQueue.push(ev); },
      unlock: (name: string) => {
        const holder = m.w.locks[name];
        if (holder === undefined) m.stepReleases.push({ lock: name, holder: null, by: u.name, step: m.stepNo });
        delete m.kw.locks[name];
      },
      warn: (msg: string) => { m.kw.warnings.push(msg); m.stepWarnings.push(msg); },
      spawn: (name, program) => m.kw.tasks[m.newTask(name, cpu(), program, m.childHistory(u)).id]!,
      ipi: (target, name, handler) => {
        const unit = m.newUnit(name, 'irq', -1, target, m.childHistory(u));
        unit.irqKind = 'hardirq';
        unit.handler = handler;
        m.ghost.ipis.push({ from: cpu(), to: target, name, step: m.stepNo, ...m.sender(cpu()) });
        return () => unit.done;
      },
      exception: (name, handler) => m.exceptionBody(u, name, handler),
    };
  }

  /** What an environment action's code sees: the hardware of one CPU. */
  envExec(cpu: CpuId): Exec<K, E> {
    const m = this;
    const refuse = (what: string) => () => { throw new Error(`an environment action cannot ${what}`); };
    return {
      get w() { return m.kw; },
      unit: -2, cpu: () => cpu, cpuState: () => m.kw.cpus[cpu]!, current: () => m.kw.tasks[m.kw.cpus[cpu]!.curr]!,
      emit: (ev: E) => { m.specQueue.push(ev); },
      warn: (msg: string) => { m.kw.warnings.push(msg); m.stepWarnings.push(msg); },
      spawn: refuse('start a task'), ipi: refuse('send an IPI'), exception: refuse('raise an exception'), unlock: refuse('release a lock'),
    };
  }

  /**
   * Whether code running on `cpu` now is pinned to it (the kernel's !preemptible() or
   * migrate_disable(): what smp_processor_id() checks), and its context, for the IPI record.
   */
  private sender(cpuId: CpuId): { pinned: boolean; sender: string } {
    const cpu = this.w.cpus[cpuId]!;
    const t = this.w.tasks[cpu.curr]!;
    const ctx = topCtx(cpu).kind;
    const why = ctx === 'hardirq' || ctx === 'softirq' || ctx === 'sched' ? `in ${ctx}`
      : cpu.irqsOff ? 'irqs off'
      : t.preempt_count > 0 ? `preempt_count ${t.preempt_count}`
      : t.softirq_disabled > 0 ? 'bottom halves off'
      : t.migrate_disable > 0 ? 'migration disabled'
      : null;
    return { pinned: why !== null, sender: `${t.name} in ${ctx} on cpu${cpuId}${why ? `, ${why}` : ', preemptible'}` };
  }

  /** A copy of `w.locks` to compare after a step, or null when no lock is held (most steps: no allocation). */
  locksHeld(): Record<string, number> | null {
    for (const _ in this.w.locks) return { ...this.w.locks };
    return null;
  }

  /**
   * After a step of `by` (null: an environment action): the locks released while free in it
   * (x.unlock() saw them), and those that were held by another unit before it (`before`, from
   * locksHeld()) and are free or held by someone else now. A step that releases nothing
   * allocates nothing.
   */
  noteReleases(before: Record<string, number> | null, by: Unit | null): void {
    let releases: Release[] | null = null;
    if (this.stepReleases.length) {
      releases = this.stepReleases;
      this.stepReleases = [];
    }
    for (const lock in before) {
      const holder = before[lock]!;
      if (holder === by?.id || this.w.locks[lock] === holder) continue;
      (releases ??= []).push({ lock, holder: this.units[holder]?.name ?? `unit ${holder}`, by: by?.name ?? 'environment', step: this.stepNo });
    }
    this.ghost.releases = releases ?? NO_RELEASES;
  }

  // ---- a unit's steps -----------------------------------------------------------------

  /**
   * Runs a unit's next action. A task's first step also runs its program up to the first yield
   * (code before it touches nothing another CPU could race with) and, when that first action
   * may happen at once, the action too: the program starts where it is scheduled, as `current`.
   */
  runUnit(u: Unit): { fn: string; what: string } {
    if (!u.started) {
      this.start(u);
      if (u.done || !actionReady(u, this.w.locks)) return { fn: u.name.replace(/^task /, ''), what: 'starts' };
    }
    const p = this.pendingOf(u)!;
    if (p.lock !== undefined) this.w.locks[p.lock] = u.id;
    if (u.restart) this.stepRestartable(u);
    else this.resume(u);
    return { fn: p.fn, what: p.what };
  }

  /**
   * A restartable unit's step: its action, to the end of its generator or to the next yield
   * (both only end the step); then where it waits next follows from the World, and a program
   * that yields nothing more has ended, in this step.
   */
  private stepRestartable(u: Unit): void {
    u.gen!.next();
    u.stale = true;
    if (this.pendingOf(u) === EXIT) this.finish(u);
  }

  /** Creates a unit's generator and runs it up to its first yield. */
  start(u: Unit): void {
    u.started = true;
    if (u.kind === 'task') {
      const t = this.w.tasks[u.task as number]!;
      this.ghost.tasks[t.id] = { kind: 'task', name: u.name, cpu: t.cpu, step: this.stepNo, entry: this.snapshot(this.w.cpus[t.cpu]!, u.id, t.id) };
    }
    u.gen = u.body!(u.x);
    if (!u.restart) u.body = null;
    this.resume(u);
  }

  private resume(u: Unit): void {
    const r = u.gen!.next();
    if (!r.done) {
      u.pending = r.value;
      return;
    }
    this.finish(u);
  }

  private finish(u: Unit): void {
    u.done = true;
    u.pending = null;
    u.gen = null;
    if (u.kind === 'task') this.endTask(u);
    else this.popCtx(this.w.cpus[u.cpu]!);
  }

  /** Takes an environment action on a CPU's hardware. */
  runEnv(cpu: CpuId, action: EnvAction<K, E>): void {
    this.envSteps++;
    action.run(this.envExec(cpu));
  }

  // ---- contexts -----------------------------------------------------------------------

  /** A synchronous exception: same unit, one more context on this CPU while the handler runs. */
  private *exceptionBody<R>(u: Unit, name: string, handler: (x: Exec<K, E>) => Gen<R>): Gen<R> {
    const x = u.x as Exec<K, E>;
    const cpu = this.w.cpus[x.cpu()]!;
    // x86 exceptions enter through interrupt gates: the CPU clears IF
    this.pushCtx(cpu, { kind: 'exception', unit: u.id, savedIrqsOff: cpu.irqsOff }, `exception ${name}`);
    this.setup.hooks.irq_enter?.(x, 'exception');
    const r = yield* handler(x);
    yield { fn: 'irqentry_exit', what: `return from ${name}` };
    this.setup.hooks.irq_exit?.(x, 'exception');
    this.popCtx(this.w.cpus[x.cpu()]!);
    return r;
  }

  /** Enters an interrupt handler on a CPU: inside its irqentry (the protocol's hooks), or bare (a softirq from local_bh_enable). */
  enterIrq(cpu: Cpu, u: Unit, irqentry: boolean): void {
    u.fired = true;
    const kind = u.irqKind!;
    const handler = u.handler!;
    u.body = (x) => this.irqBody(x, kind, handler, irqentry);
    this.pushCtx(cpu, { kind, unit: u.id, savedIrqsOff: cpu.irqsOff }, `${kind} ${u.name}`);
    this.start(u);
  }

  private *irqBody(x: Exec<K, E>, kind: ContextKind, body: (x: Exec<K, E>) => Gen, irqentry: boolean): Gen {
    if (irqentry) this.setup.hooks.irq_enter?.(x, kind);
    yield* body(x);
    yield { fn: irqentry ? 'irq_exit' : 'do_softirq', what: `return from ${kind}` };
    if (irqentry) this.setup.hooks.irq_exit?.(x, kind);
  }

  /** Starts switching a CPU from its current task to `next` (a sched unit does the rest). */
  beginSwitch(cpu: Cpu, next: Task): Unit {
    const prev = this.w.tasks[cpu.curr]!;
    next.state = 'running'; // dequeued now: no other CPU may pick it while this switch runs
    const u = this.newUnit('sched', 'sched', -1, cpu.id, mix(mix(2, prev.id), next.id));
    u.body = (x) => this.schedule(x, cpu.id, prev.id, next.id);
    if (this.protocol.restartable) u.restart = u.body;
    this.pushCtx(cpu, { kind: 'sched', unit: u.id, savedIrqsOff: cpu.irqsOff }, 'sched');
    this.start(u);
    return u;
  }

  private *schedule(x: Exec<K, E>, cpuId: CpuId, prevId: TaskId, nextId: TaskId): Gen {
    const hooks = this.setup.hooks;
    const [cpu, prev, next] = [this.w.cpus[cpuId]!, this.w.tasks[prevId]!, this.w.tasks[nextId]!];
    cpu.irqsOff = true; // __schedule runs with the rq lock held, irqs off
    if (hooks.prepare_task_switch && !prev.idle) yield* hooks.prepare_task_switch(x, this.kw.tasks[prev.id]!);
    yield { fn: 'context_switch', what: `switch_to(${prev.name} → ${next.name})` };
    const [c, p, n] = [this.w.cpus[cpuId]!, this.w.tasks[prevId]!, this.w.tasks[nextId]!]; // the World may have been restored
    if (p.state === 'running') p.state = 'runnable';
    n.state = 'running';
    n.cpu = c.id;
    c.curr = n.id;
    // exception handlers a task was preempted in stay on its stack: they leave and come back with it
    const sched = c.ctx.pop()!;
    p.frames = c.ctx.splice(1);
    const records = this.ghost.open[c.id]!;
    this.ghost.suspended[p.id] = records.splice(records.length - 1 - p.frames.length, p.frames.length);
    c.ctx[0] = { kind: 'thread', unit: this.taskUnit(n), savedIrqsOff: false };
    c.ctx.push(...n.frames, sched);
    records.splice(records.length - 1, 0, ...(this.ghost.suspended[n.id] ?? []));
    n.frames = [];
    delete this.ghost.suspended[n.id];
    this.fresh[c.id] = !n.idle;
    c.irqsOff = false; // finish_task_switch() drops the rq lock and enables irqs
    if (hooks.finish_task_switch && !n.idle) yield* hooks.finish_task_switch(x, this.kw.tasks[n.id]!);
  }

  /** What a context looks like now, for the ghost records. */
  private snapshot(cpu: Cpu, unit: number, task: TaskId): ContextSnapshot {
    const t = this.w.tasks[task]!;
    const locks: string[] = [];
    for (const name in this.w.locks) if (this.w.locks[name] === unit) locks.push(name);
    const s: ContextSnapshot = {
      task, preempt_count: t.preempt_count, migrate_disable: t.migrate_disable, pagefault_disabled: t.pagefault_disabled,
      softirq_disabled: t.softirq_disabled, irqsOff: cpu.irqsOff, locks,
    };
    if (this.protocol.contextState) s.state = this.protocol.contextState(this.w, cpu.id);
    return s;
  }

  private pushCtx(cpu: Cpu, ctx: Ctx, name: string): void {
    cpu.ctx.push(ctx);
    if (ctx.kind === 'hardirq' || ctx.kind === 'exception') cpu.irqsOff = true;
    this.ghost.open[cpu.id]!.push({ kind: ctx.kind, name, cpu: cpu.id, step: this.stepNo, entry: this.snapshot(cpu, ctx.unit, cpu.curr) });
  }

  private popCtx(cpu: Cpu): void {
    const rec = this.ghost.open[cpu.id]!.pop()!;
    const ctx = cpu.ctx[cpu.ctx.length - 1]!;
    this.ghost.ended.push({ ...rec, exit: this.snapshot(cpu, ctx.unit, cpu.curr) });
    cpu.ctx.pop();
    if (ctx.kind !== 'sched') cpu.irqsOff = ctx.savedIrqsOff;
  }

  private endTask(u: Unit): void {
    const t = this.w.tasks[u.task as number]!;
    const cpu = this.w.cpus[t.cpu]!;
    const rec = this.ghost.tasks[t.id];
    if (rec) this.ghost.ended.push({ ...rec, exit: this.snapshot(cpu, u.id, t.id) });
    delete this.ghost.tasks[t.id];
    t.state = 'done';
    const idle = this.w.tasks[cpu.id]!; // idle tasks are created first, one per CPU
    idle.state = 'running';
    cpu.curr = idle.id;
    cpu.ctx[0] = { kind: 'thread', unit: -1, savedIrqsOff: false };
    this.fresh[cpu.id] = false;
  }
}
