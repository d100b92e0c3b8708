/**
 * The execution loop: one World, one spec snapshot, one strategy. Each step the strategy picks
 * one runnable choice (run a CPU's innermost context, take an interrupt, switch tasks, take an
 * environment action); after the step the spec consumes the events the step reported and every
 * invariant is evaluated with the ghost state the engine records.
 *
 * A preemption is a decision that switches away from the unit that ran last while it could have
 * gone on (choice 0 is always "go on" when that is possible); switches when it blocks, waits or
 * ends are free. Preemptions and environment actions are bounded per run by the options.
 */
import type { ContextKind, Invariant, Protocol, Setup, Variant } from '../protocol.js';
import type { CpuId, TaskId } from '../sim/ids.js';
import { kernelInvariants } from '../../properties/kernel.js';
import { KernelBug, type Exec, type Gen, type YieldPoint } from '../sim/thread.js';
import { addTask, createWorld, topCtx, type Cpu, type Ctx, type PreemptModel, type Task, type World } from '../sim/world.js';
import { newGhost, type ContextSnapshot, type Ghost } from './ghost.js';
import { EVERYTHING, mix, type Recorder } from './record.js';
import type { Execution, Failure, TraceStep } from './result.js';
import { describeSnapshot, SpecRunner } from './spec.js';
import { StrategySignal, type Strategy } from './strategy.js';
import { diff, eventName, observe } from './trace.js';
import { actionReady, choiceKey, type Choice, type Unit } from './units.js';

export interface ExecOptions {
  cpus: number;
  /** steps after which a run that has not finished is reported as livelock */
  maxSteps: number;
  /** preemptions allowed per run (Infinity: unbounded) */
  maxPreemptions: number;
  /** environment actions allowed per run */
  maxEnvSteps: number;
  /** the kernel's preemption model (default full) */
  preempt?: PreemptModel;
  /** record a trace with the values each step changed (for reports) */
  trace: boolean;
  /** extra invariants (user files) checked with the protocol's own */
  extraInvariants?: Invariant[];
  /** record what each step reads and writes (exhaustive search); kernel code then sees a proxy */
  record?: Recorder;
  /** record statechart coverage of this run */
  coverage?: { attach(spec: SpecRunner): void };
}

class Stop extends Error {
  constructor(readonly failure: Failure) { super(failure.message); }
}

/** A user invariant threw: reported as bad input, naming the invariant. */
export class InvariantThrew extends Error {
  constructor(readonly invariant: string, readonly cause: unknown) {
    super(`invariant ${invariant} threw: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'InvariantThrew';
  }
}

export class Engine<K, E> {
  readonly w: World<K>;
  /** the world as kernel code sees it: `w` itself, or a recording proxy of it */
  private readonly kw: World<K>;
  readonly spec: SpecRunner;
  readonly ghost: Ghost;
  private readonly units: Unit[] = [];
  private readonly setupData: Setup<K, E>;
  private readonly invariants: Invariant[];
  private readonly finalInvariants: Invariant[];
  private readonly meanings: Map<string, string>;
  private specQueue: E[] = [];
  private lastCpu = 0;
  private stepNo = 0;
  private readonly choices: number[] = [];
  private preemptions = 0;
  private envSteps = 0;
  /** per CPU: its task was switched in and has not run a step yet (it cannot be preempted yet) */
  private readonly fresh: boolean[];
  private readonly trace: TraceStep[] | null;
  private lastUnit = -1;
  /** still in the constructor: the first task of each CPU starts on it */
  private constructing = true;
  private stepWarnings: string[] = [];
  /** the step being executed, so that a step which throws still appears in the trace */
  private inFlight: TraceStep | null = null;

  constructor(
    private readonly protocol: Protocol<K, E>,
    variant: Variant,
    workload: unknown,
    private readonly strategy: Strategy,
    private readonly opts: ExecOptions,
  ) {
    this.setupData = protocol.setup(workload, variant, { cpus: opts.cpus });
    this.w = createWorld(opts.cpus, this.setupData.k, opts.preempt ?? 'full');
    this.kw = opts.record ? opts.record.wrap(this.w) : this.w;
    this.ghost = newGhost(opts.cpus);
    this.fresh = this.w.cpus.map(() => false);
    this.spec = new SpecRunner(protocol.machine, this.setupData.specInput);
    opts.coverage?.attach(this.spec);
    const all = [...kernelInvariants, ...protocol.invariants, ...(opts.extraInvariants ?? [])];
    this.meanings = new Map(all.map((i) => [i.name, i.description]));
    this.invariants = all.filter((i) => i.check && !i.final);
    this.finalInvariants = all.filter((i) => i.check && i.final);
    this.trace = opts.trace ? [] : null;
    for (const [i, p] of this.setupData.tasks.entries()) this.newTask(p.name, (p.cpu % opts.cpus) as CpuId, p.run, mix(0, i));
    for (const [i, p] of this.setupData.irqs.entries()) {
      const unit = this.newUnit(p.name, 'irq', -1, (p.cpu % opts.cpus) as CpuId, mix(1, i));
      unit.irqKind = p.kind;
      unit.handler = p.run;
    }
    this.constructing = false;
  }

  /** Runs to completion or to the first failure. */
  run(): Execution {
    let failure: Failure | null = null;
    try {
      this.checkInvariants(this.invariants);
      while (!this.allDone()) {
        if (this.stepNo >= this.opts.maxSteps) {
          throw this.stop('livelock', 'kernel/progress', 'every thread finishes within the step budget',
            `no progress to completion within ${this.opts.maxSteps} steps (livelock)`);
        }
        const { choices, cont } = this.runnable();
        if (!choices.some((c) => c.kind !== 'env')) {
          const stuck = this.units.filter((u) => !u.done).map((u) => `${u.name}${u.pending ? ` at ${u.pending.fn}: ${u.pending.what}` : ''}`);
          throw this.stop('deadlock', 'kernel/progress', 'every thread finishes: no one waits forever',
            `deadlock: nothing can run, still waiting: ${stuck.join('; ')}`);
        }
        let pick = 0;
        if (choices.length > 1) {
          pick = this.strategy.next(choices.length, this.strategy.keyed ? choices.map((c) => choiceKey(c, (t) => this.taskUnit(t))) : undefined);
          this.choices.push(pick);
        }
        const preempted = cont && pick !== 0;
        if (preempted) this.preemptions++;
        this.step(choices[pick]!, preempted);
        if (!this.strategy.replaying) this.checkInvariants(this.invariants);
      }
      this.checkInvariants(this.finalInvariants);
    } catch (e) {
      if (e instanceof Stop) failure = e.failure;
      else if (e instanceof StrategySignal || e instanceof InvariantThrew) throw e; // not a kernel failure
      else {
        failure = this.threw(e);
        // the step that died still belongs in the trace
        if (this.trace && this.inFlight) this.trace.push({ ...this.inFlight, changes: [failure.message] });
      }
    }
    return {
      failure, steps: this.stepNo, choices: this.choices, preemptions: this.preemptions, envSteps: this.envSteps,
      counters: this.w.counters, warnings: this.w.warnings, trace: this.trace,
    };
  }

  /** steps taken so far */
  get steps(): number { return this.stepNo; }

  /**
   * The state of this execution as a string, equal for equal states: the World (without its
   * cost counters, which kernel code only adds to), the spec snapshot, the scheduler's own state
   * (where each CPU is, what the bounds leave), and for every unit where it waits and the hash of
   * what it has read so far, which stands for its generator's locals. The step count is not
   * part of it: how many steps led to a state does not change its future.
   */
  fingerprint(): string {
    const w = this.w;
    let units = '';
    for (const u of this.units) {
      const p = u.pending;
      units += `${u.started ? (u.done ? 'd' : u.fired ? 'f' : 's') : u.fired ? 'F' : '-'}${p ? `${p.fn}:${p.what}:${p.lock ?? ''}` : ''}#${u.history}|`;
    }
    const s = this.spec.snapshot;
    // which CPU ran last matters only to a preemption bound (it decides what counts as one)
    const bounded = Number.isFinite(this.opts.maxPreemptions);
    const sched = `${bounded ? `${this.lastCpu}:${this.opts.maxPreemptions - this.preemptions}` : '-'}:${this.opts.maxEnvSteps - this.envSteps}:${this.fresh.map(Number).join('')}`;
    return `${JSON.stringify([w.cpus, w.tasks, w.locks, w.warnings, w.k])}#${JSON.stringify(s.value)}#${JSON.stringify(s.context)}#${sched}#${units}`;
  }

  private threw(e: unknown): Failure {
    const msg = e instanceof Error ? e.message : String(e);
    const bug = e instanceof KernelBug;
    return {
      kind: 'thread-threw', invariant: bug ? 'kernel/BUG' : 'kernel/thread-threw', step: this.stepNo,
      meaning: bug ? 'the kernel never hits a BUG()' : 'modelled kernel code never throws', message: msg,
    };
  }

  private stop(kind: Failure['kind'], invariant: string, meaning: string, message: string, extra: Partial<Failure> = {}): Stop {
    return new Stop({ kind, invariant, meaning, message, step: this.stepNo - 1, ...extra });
  }

  // ---- units and contexts -------------------------------------------------------------

  private newUnit(name: string, kind: Unit['kind'], task: TaskId | -1, cpu: CpuId, history: number): Unit {
    const u = {
      id: this.units.length, name, kind, body: null, gen: null, pending: null, started: false, done: false, fired: false,
      steps: 0, task, cpu, history,
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
    return mix(mix(parent.history, this.opts.record?.current() ?? 0), this.units.length);
  }

  private exec(u: Unit): Exec<K, E> {
    const w = this.kw;
    const cpu = (): CpuId => (u.task === -1 ? u.cpu : w.tasks[u.task]!.cpu);
    return {
      w, unit: u.id, cpu,
      cpuState: () => w.cpus[cpu()]!,
      current: () => w.tasks[w.cpus[cpu()]!.curr]!,
      emit: (ev: E) => { this.specQueue.push(ev); },
      warn: (msg: string) => { w.warnings.push(msg); this.stepWarnings.push(msg); },
      spawn: (name, program) => w.tasks[this.newTask(name, cpu(), program, this.childHistory(u)).id]!,
      ipi: (target, name, handler) => {
        const unit = this.newUnit(name, 'irq', -1, target, this.childHistory(u));
        unit.irqKind = 'hardirq';
        unit.handler = handler;
        this.ghost.ipis.push({ from: cpu(), to: target, name, step: this.stepNo });
        return () => unit.done;
      },
      exception: (name, handler) => this.exceptionBody(u, name, handler),
    };
  }

  /** A synchronous exception: same unit, one more context on this CPU while the handler runs. */
  private *exceptionBody<R>(u: Unit, name: string, handler: (x: Exec<K, E>) => Gen<R>): Gen<R> {
    const x = u.x as Exec<K, E>;
    const cpu = this.w.cpus[x.cpu()]!;
    // x86 exceptions enter through interrupt gates: the CPU clears IF
    this.pushCtx(cpu, { kind: 'exception', unit: u.id, savedIrqsOff: cpu.irqsOff }, `exception ${name}`);
    this.setupData.hooks.irq_enter?.(x, 'exception');
    const r = yield* handler(x);
    yield { fn: 'irqentry_exit', what: `return from ${name}` };
    this.setupData.hooks.irq_exit?.(x, 'exception');
    this.popCtx(this.w.cpus[x.cpu()]!);
    return r;
  }

  /** An interrupt handler inside its irqentry (the protocol's entry and exit hooks), or bare. */
  private *irqBody(x: Exec<K, E>, kind: ContextKind, body: (x: Exec<K, E>) => Gen, irqentry: boolean): Gen {
    if (irqentry) this.setupData.hooks.irq_enter?.(x, kind);
    yield* body(x);
    yield { fn: irqentry ? 'irq_exit' : 'do_softirq', what: `return from ${kind}` };
    if (irqentry) this.setupData.hooks.irq_exit?.(x, kind);
  }

  private *schedule(x: Exec<K, E>, cpu: Cpu, prev: Task, next: Task): Gen {
    const hooks = this.setupData.hooks;
    const kt = this.kw.tasks;
    cpu.irqsOff = true; // __schedule runs with the rq lock held, irqs off
    if (hooks.prepare_task_switch && !prev.idle) yield* hooks.prepare_task_switch(x, kt[prev.id]!);
    yield { fn: 'context_switch', what: `switch_to(${prev.name} → ${next.name})` };
    if (prev.state === 'running') prev.state = 'runnable';
    next.state = 'running';
    next.cpu = cpu.id;
    cpu.curr = next.id;
    // exception handlers a task was preempted in stay on its stack: they leave and come back with it
    const sched = cpu.ctx.pop()!;
    prev.frames = cpu.ctx.splice(1);
    const records = this.ghost.open[cpu.id]!;
    this.ghost.suspended[prev.id] = records.splice(records.length - 1 - prev.frames.length, prev.frames.length);
    cpu.ctx[0] = { kind: 'thread', unit: this.taskUnit(next), savedIrqsOff: false };
    cpu.ctx.push(...next.frames, sched);
    records.splice(records.length - 1, 0, ...(this.ghost.suspended[next.id] ?? []));
    next.frames = [];
    delete this.ghost.suspended[next.id];
    this.fresh[cpu.id] = !next.idle;
    cpu.irqsOff = false; // finish_task_switch() drops the rq lock and enables irqs
    if (hooks.finish_task_switch && !next.idle) yield* hooks.finish_task_switch(x, kt[next.id]!);
  }

  private taskUnit(t: Task): number {
    if (t.idle) return -1;
    return this.units.findIndex((u) => u.kind === 'task' && u.task === t.id);
  }

  private snapshot(cpu: Cpu, unit: number, task: TaskId): ContextSnapshot {
    const t = this.w.tasks[task]!;
    const locks: string[] = [];
    for (const name in this.w.locks) if (this.w.locks[name] === unit) locks.push(name);
    const s: ContextSnapshot = {
      task, preempt_count: t.preempt_count, migrate_disable: t.migrate_disable, pagefault_disabled: t.pagefault_disabled,
      irqsOff: cpu.irqsOff, locks,
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

  // ---- choices -------------------------------------------------------------------------

  private allDone(): boolean {
    for (const u of this.units) if (!u.done) return false;
    return true;
  }

  /** The unit a CPU would run next, if it can run now. */
  private runnableUnit(cpu: Cpu): Unit | null {
    const id = topCtx(cpu).unit;
    if (id < 0) return null;
    const u = this.units[id]!;
    if (u.done) return null;
    if (u.kind === 'task' && this.w.tasks[u.task as number]!.state !== 'running') return null;
    if (!u.started) return u;
    return actionReady(u, this.w.locks) ? u : null;
  }

  /**
   * Choice 0 continues the CPU that ran last when it can run; then the other CPUs, interrupts,
   * task switches and environment actions. `cont`: the unit that ran last can go on, so any other
   * choice preempts it; once the preemption bound is used up, it must go on.
   */
  private runnable(): { choices: Choice[]; cont: boolean } {
    const out: Choice[] = [];
    const cpus = this.w.cpus;
    const last = cpus[this.lastCpu]!;
    const lastUnit = this.runnableUnit(last);
    // the unit that ran the last step can take the next one: anything else preempts it
    const cont = lastUnit !== null && lastUnit.id === this.lastUnit;
    if (lastUnit) {
      out.push({ kind: 'run', cpu: last, unit: lastUnit });
      if (cont && this.preemptions >= this.opts.maxPreemptions) return { choices: out, cont };
    }
    for (const c of cpus) {
      if (c === last) continue;
      const u = this.runnableUnit(c);
      if (u) out.push({ kind: 'run', cpu: c, unit: u });
    }
    for (const u of this.units) {
      if (u.kind !== 'irq' || u.fired) continue;
      const c = cpus[u.cpu]!;
      if (u.irqKind === 'softirq') {
        // local_bh_enable() runs pending softirqs where it stands; otherwise they run at irq_exit
        // on the interrupted task, only with bottom halves enabled
        if (this.units[topCtx(c).unit]?.pending?.softirqs) out.push({ kind: 'irq', cpu: c, unit: u, bh: true });
        else if (!c.irqsOff && topCtx(c).kind === 'thread' && this.w.tasks[c.curr]!.softirq_disabled === 0) out.push({ kind: 'irq', cpu: c, unit: u });
        continue;
      }
      if (!c.irqsOff) out.push({ kind: 'irq', cpu: c, unit: u });
    }
    for (const c of cpus) {
      // only the task's own contexts on the CPU (thread, exceptions): no interrupt or switch in progress
      if (c.irqsOff || c.ctx.some((x, i) => i > 0 && x.kind !== 'exception') || !this.switchable(c)) continue;
      for (const t of this.w.tasks) {
        if (t.state !== 'runnable' || t.idle) continue;
        if (t.migrate_disable > 0 && t.cpu !== c.id) continue;
        out.push({ kind: 'switch', cpu: c, to: t });
      }
    }
    if (this.envSteps < this.opts.maxEnvSteps && this.protocol.environment) {
      for (const action of this.protocol.environment(this.w)) out.push({ kind: 'env', cpu: cpus[action.cpu % cpus.length]!, action });
    }
    return { choices: out, cont };
  }

  /**
   * Whether a CPU may switch tasks now: always from the idle task or a blocked one; from a
   * running task only when the kernel could preempt it: preempt_count 0, not spinning on a lock
   * (spin_lock() does that with preemption off), run since it was switched in, and at a point the
   * preemption model allows (anywhere with full and rt; at marked scheduling points otherwise).
   */
  private switchable(c: Cpu): boolean {
    const curr = this.w.tasks[c.curr]!;
    if (curr.idle || curr.state === 'blocked') return true;
    if (curr.preempt_count > 0 || this.fresh[c.id]) return false;
    const p = this.units[topCtx(c).unit]?.pending;
    if (p?.lock !== undefined && !p.lockSleeps) return false;
    switch (this.w.preempt) {
      case 'none': return p?.resched === 'cond' || p?.resched === 'user';
      case 'voluntary': return p?.resched !== undefined;
      default: return true;
    }
  }

  // ---- one step ------------------------------------------------------------------------

  private step(ch: Choice, preempted: boolean): void {
    const before = this.trace ? observe(this.w, this.protocol) : null;
    this.stepWarnings = [];
    this.ghost.ended = [];
    this.ghost.step = this.stepNo;
    const record = this.opts.record;
    const cpu = ch.cpu;
    const pendingBefore = ch.kind === 'run' ? ch.unit.pending : null;
    record?.begin();
    let unit: Unit | null = null;
    let fn: string;
    let what: string;
    switch (ch.kind) {
      case 'run': {
        unit = ch.unit;
        this.inFlight = { i: this.stepNo, cpu: cpu.id, ctx: unit.name, fn: unit.pending?.fn ?? unit.name, what: unit.pending?.what ?? 'start', changes: [], spec: [], warnings: this.stepWarnings, switched: unit.id !== this.lastUnit };
        ({ fn, what } = this.runUnit(unit));
        this.inFlight = null;
        if (unit.kind === 'task') this.fresh[cpu.id] = false;
        break;
      }
      case 'irq': {
        unit = ch.unit;
        unit.fired = true;
        const kind = unit.irqKind!;
        const handler = unit.handler!;
        unit.body = (x) => this.irqBody(x, kind, handler, !ch.bh);
        fn = kind === 'hardirq' ? 'irq_enter' : '__do_softirq';
        what = ch.bh ? `softirq ${unit.name} runs from local_bh_enable() in ${this.w.tasks[cpu.curr]!.name}` : `${kind} ${unit.name} interrupts ${this.w.tasks[cpu.curr]!.name}`;
        this.pushCtx(cpu, { kind, unit: unit.id, savedIrqsOff: cpu.irqsOff }, `${kind} ${unit.name}`);
        this.start(unit);
        break;
      }
      case 'switch': {
        const prev = this.w.tasks[cpu.curr]!;
        ch.to.state = 'running'; // dequeued now: no other CPU may pick it while this switch runs
        unit = this.newUnit('sched', 'sched', -1, cpu.id, mix(mix(2, prev.id), ch.to.id));
        unit.body = (x) => this.schedule(x, cpu, prev, ch.to);
        fn = '__schedule';
        what = `${prev.state === 'blocked' ? 'sleep' : prev.idle ? 'idle' : 'preempt'}: ${prev.name} → ${ch.to.name}`;
        this.pushCtx(cpu, { kind: 'sched', unit: unit.id, savedIrqsOff: cpu.irqsOff }, 'sched');
        this.start(unit);
        break;
      }
      case 'env': {
        this.envSteps++;
        fn = ch.action.fn;
        what = ch.action.what;
        this.inFlight = { i: this.stepNo, cpu: cpu.id, ctx: 'env', fn, what, changes: [], spec: [], warnings: this.stepWarnings, switched: false };
        ch.action.run(this.envExec(cpu.id));
        this.inFlight = null;
        break;
      }
    }
    if (record) this.attribute(record, ch, unit, pendingBefore, preempted);
    const read = record?.end() ?? 0;
    if (unit) {
      unit.history = mix(unit.history, read);
      unit.steps++;
    }
    const switched = unit !== null && unit.id !== this.lastUnit;
    if (unit) {
      this.lastUnit = unit.id;
      this.lastCpu = cpu.id;
    }
    if (this.trace && before) {
      this.trace.push({
        i: this.stepNo, cpu: cpu.id, ctx: unit?.name ?? 'env', fn, what, changes: diff(before, observe(this.w, this.protocol)),
        spec: this.specQueue.map((e) => eventName(this.w, e)), warnings: this.stepWarnings, switched, ...(preempted ? { preempted } : {}),
      });
    }
    this.stepNo++;
    this.applySpec();
  }

  /**
   * Runs a unit's next action. A task's first step also runs its program up to the first yield
   * (code before it touches nothing another CPU could race with) and, when that first action
   * may happen at once, the action too: the program starts where it is scheduled, as `current`.
   */
  private runUnit(u: Unit): { fn: string; what: string } {
    if (!u.started) {
      this.start(u);
      if (u.done || !actionReady(u, this.w.locks)) return { fn: u.name.replace(/^task /, ''), what: 'starts' };
    }
    const p = u.pending!;
    if (p.lock !== undefined) this.w.locks[p.lock] = u.id;
    this.resume(u);
    return { fn: p.fn, what: p.what };
  }

  /** Creates a unit's generator and runs it up to its first yield. */
  private start(u: Unit): void {
    u.started = true;
    if (u.kind === 'task') {
      const t = this.w.tasks[u.task as number]!;
      this.ghost.tasks[t.id] = { kind: 'task', name: u.name, cpu: t.cpu, step: this.stepNo, entry: this.snapshot(this.w.cpus[t.cpu]!, u.id, t.id) };
    }
    u.gen = u.body!(u.x);
    u.body = null;
    this.resume(u);
  }

  private resume(u: Unit): void {
    const r = u.gen!.next();
    if (!r.done) {
      u.pending = r.value;
      return;
    }
    u.done = true;
    u.pending = null;
    if (u.kind === 'task') this.endTask(u);
    else this.popCtx(this.w.cpus[u.cpu]!);
  }

  /** What an environment action's code sees: the hardware of one CPU. */
  private envExec(cpu: CpuId): Exec<K, E> {
    const w = this.kw;
    const refuse = (what: string) => () => { throw new Error(`an environment action cannot ${what}`); };
    return {
      w, unit: -2, cpu: () => cpu, cpuState: () => w.cpus[cpu]!, current: () => w.tasks[w.cpus[cpu]!.curr]!,
      emit: (ev: E) => { this.specQueue.push(ev); },
      warn: (msg: string) => { w.warnings.push(msg); this.stepWarnings.push(msg); },
      spawn: refuse('start a task'), ipi: refuse('send an IPI'), exception: refuse('raise an exception'),
    };
  }

  /**
   * What the engine itself touched in this step, on top of what the proxy saw kernel code do.
   * Coarse on purpose (a whole CPU, all task states): over-approximating only costs reduction.
   */
  private attribute(record: Recorder, ch: Choice, unit: Unit | null, pending: YieldPoint | null, preempted: boolean): void {
    if (!record.o.footprints) return;
    record.write(`cpus.${ch.cpu.id}`);
    record.read(`tasks.${ch.cpu.curr}.state`);
    if (preempted || ch.kind === 'env') record.write('budgets'); // what the bounds leave
    if (ch.kind === 'switch' || unit?.kind === 'sched') record.write('tasks');
    if (unit?.done && unit.kind === 'task') {
      record.write(`tasks.${unit.task}`);
      record.write(`tasks.${ch.cpu.id}`); // the CPU's idle task takes over
    }
    if (pending?.lock !== undefined) record.write(`locks.${pending.lock}`);
    if (pending?.until) record.read(EVERYTHING);
    if (this.specQueue.length > 0) record.write('spec');
  }

  // ---- refinement and invariants -------------------------------------------------------

  private applySpec(): void {
    if (this.specQueue.length === 0) return;
    const q = this.specQueue;
    this.specQueue = [];
    for (const ev of q) {
      const before = this.spec.snapshot;
      if (!this.spec.send(ev)) {
        const inv = this.protocol.refusal(ev);
        throw this.stop('spec-refused', inv, this.meanings.get(inv) ?? inv,
          `spec refused ${eventName(this.w, ev)} in state ${JSON.stringify(before.value)}`,
          { specState: describeSnapshot(before), event: eventName(this.w, ev) });
      }
    }
  }

  private checkInvariants(list: Invariant[]): void {
    const snap = this.spec.snapshot;
    for (const inv of list) {
      let msg: string | null | undefined | void;
      try {
        msg = inv.check!(this.w, snap, this.ghost);
      } catch (e) {
        throw new InvariantThrew(inv.name, e);
      }
      if (msg) throw this.stop('invariant', inv.name, inv.description, msg);
    }
  }
}

export function execute<K, E>(protocol: Protocol<K, E>, variant: Variant, workload: unknown, strategy: Strategy, opts: ExecOptions): Execution {
  return new Engine(protocol, variant, workload, strategy, opts).run();
}

