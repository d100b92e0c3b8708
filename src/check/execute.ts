/**
 * The execution loop: one World, one spec snapshot, one strategy. Each step the strategy picks
 * one runnable choice (run a CPU's innermost context, take an interrupt, switch tasks); after the
 * step the spec consumes the events the step reported and every invariant is evaluated.
 */
import type { ContextKind, Invariant, Protocol, Setup, Variant } from '../protocol.js';
import { StrategySignal, type Strategy } from '../explore/strategy.js';
import { EVERYTHING, type FootprintRecorder } from '../explore/footprint.js';
import type { CoverageRecorder } from './coverage.js';
import type { CpuId, TaskId } from '../sim/ids.js';
import { KernelBug, type Exec, type Gen, type YieldPoint } from '../sim/thread.js';
import { addTask, createWorld, topCtx, type Cpu, type Ctx, type Task, type World } from '../sim/world.js';
import type { Execution, Failure, TraceStep } from './result.js';
import { describeSnapshot, SpecRunner } from './spec.js';

export interface ExecOptions {
  cpus: number;
  /** steps after which a run that has not finished is reported as livelock */
  maxSteps: number;
  /** involuntary context switches allowed per run (bounds every run) */
  maxPreemptions: number;
  /** record a trace with the values each step changed (for reports) */
  trace: boolean;
  /** extra invariants (user files) checked with the protocol's own */
  extraInvariants?: Invariant[];
  /** record each step's footprint (partial-order reduction); kernel code then sees a proxy */
  track?: FootprintRecorder;
  /** record statechart coverage of this run */
  coverage?: CoverageRecorder;
}

interface Unit {
  id: number;
  name: string;
  kind: 'task' | 'irq' | 'sched';
  gen: Gen;
  pending: YieldPoint | null;
  /** steps this unit has taken: with `pending`, where its generator is (it cannot be hashed) */
  progress: number;
  done: boolean;
  /** task units: the task; irq and sched units: fixed CPU */
  task: TaskId | -1;
  cpu: CpuId;
  irqKind?: 'hardirq' | 'softirq';
  /** irq units: entered yet */
  fired: boolean;
}

type Choice =
  | { kind: 'run'; cpu: Cpu }
  | { kind: 'irq'; cpu: Cpu; unit: Unit }
  | { kind: 'switch'; cpu: Cpu; to: Task };

const TASK_FIELDS = new Set(['task', 'parent', 'child']);

class Stop extends Error {
  constructor(readonly failure: Failure) { super(failure.message); }
}

export class Engine<K, E> {
  readonly w: World<K>;
  /** the world as kernel code sees it: `w` itself, or a recording proxy of it */
  private readonly kw: World<K>;
  readonly spec: SpecRunner;
  private readonly units: Unit[] = [];
  private readonly setupData: Setup<K, E>;
  private readonly invariants: Invariant[];
  private readonly finalInvariants: Invariant[];
  private readonly meanings: Map<string, string>;
  private specQueue: E[] = [];
  private lastCpu = 0;
  private stepNo = 0;
  private readonly choices: number[] = [];
  private preemptionChoices = 0;
  private readonly trace: TraceStep[] | null;
  private lastUnit = -1;
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
    this.w = createWorld(opts.cpus, this.setupData.k);
    this.kw = opts.track ? opts.track.wrap(this.w) : this.w;
    this.spec = new SpecRunner(protocol.machine, this.setupData.specInput);
    opts.coverage?.attach(this.spec);
    const all = [...protocol.invariants, ...(opts.extraInvariants ?? [])];
    this.meanings = new Map(all.map((i) => [i.name, i.description]));
    this.invariants = all.filter((i) => i.check && !i.final);
    this.finalInvariants = all.filter((i) => i.check && i.final);
    this.trace = opts.trace ? [] : null;
    for (const p of this.setupData.tasks) this.startTask(p.name, (p.cpu % opts.cpus) as CpuId, p.run);
    for (const p of this.setupData.irqs) {
      const cpu = (p.cpu % opts.cpus) as CpuId;
      const unit = this.newUnit(p.name, 'irq', -1, cpu);
      unit.irqKind = p.kind;
      unit.gen = this.irqBody(this.exec(unit), p.kind, p.run);
    }
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
        const runnable = this.runnable();
        if (runnable.length === 0) {
          const stuck = this.units.filter((u) => !u.done).map((u) => `${u.name}${u.pending ? ` at ${u.pending.fn}: ${u.pending.what}` : ''}`);
          throw this.stop('deadlock', 'kernel/progress', 'every thread finishes: no one waits forever',
            `deadlock: nothing can run, still waiting: ${stuck.join('; ')}`);
        }
        let pick = 0;
        if (runnable.length > 1) {
          pick = this.strategy.next(runnable.length, this.strategy.keyed ? runnable.map((c) => this.choiceKey(c)) : undefined);
          this.choices.push(pick);
          if (pick !== 0) this.preemptionChoices++;
        }
        this.step(runnable[pick]!);
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
      failure, steps: this.stepNo, choices: this.choices, preemptions: this.preemptionChoices,
      counters: this.w.counters, warnings: this.w.warnings, trace: this.trace,
    };
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

  private newUnit(name: string, kind: Unit['kind'], task: TaskId | -1, cpu: CpuId): Unit {
    const u: Unit = { id: this.units.length, name, kind, gen: undefined as unknown as Gen, pending: null, progress: 0, done: false, task, cpu, fired: false };
    this.units.push(u);
    return u;
  }

  private startTask(name: string, cpu: CpuId, run: (x: Exec<K, E>) => Gen): Task {
    const t = addTask(this.w, name, cpu);
    const u = this.newUnit(`task ${name}`, 'task', t.id, cpu);
    u.gen = run(this.exec(u));
    const c = this.w.cpus[cpu]!;
    if (this.w.tasks[c.curr]!.idle && c.ctx.length === 1 && this.stepNo === 0) {
      // the first task of each CPU starts on it; the rest wait on the run queue
      this.w.tasks[c.curr]!.state = 'runnable';
      c.curr = t.id;
      c.ctx[0] = { kind: 'thread', unit: u.id, savedIrqsOff: false };
      t.state = 'running';
    }
    // runs the program up to its first yield; programs yield before their first action, so a
    // queued task executes nothing here (current() would not be this task yet)
    this.prime(u);
    return t;
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
      spawn: (name, program) => this.startTask(name, cpu(), program),
      ipi: (target, name, handler) => {
        const unit = this.newUnit(name, 'irq', -1, target);
        unit.irqKind = 'hardirq';
        unit.gen = this.irqBody(this.exec(unit), 'hardirq', handler);
        return () => unit.done;
      },
      exception: (name, handler) => this.exceptionBody(this.exec(u), u, name, handler),
    };
  }

  /** A synchronous exception: same unit, one more context on this CPU while the handler runs. */
  private *exceptionBody<R>(x: Exec<K, E>, u: Unit, name: string, handler: (x: Exec<K, E>) => Gen<R>): Gen<R> {
    const cpu = x.cpuState();
    cpu.ctx.push({ kind: 'exception', unit: u.id, savedIrqsOff: cpu.irqsOff });
    this.setupData.hooks.irq_enter?.(x, 'exception');
    const r = yield* handler(x);
    yield { fn: 'irqentry_exit', what: `return from ${name}` };
    this.setupData.hooks.irq_exit?.(x, 'exception');
    this.popCtx(x.cpuState());
    return r;
  }

  private prime(u: Unit): void {
    u.progress++;
    const r = u.gen.next();
    if (r.done) u.done = true;
    else u.pending = r.value;
  }

  private *irqBody(x: Exec<K, E>, kind: ContextKind, body: (x: Exec<K, E>) => Gen): Gen {
    this.setupData.hooks.irq_enter?.(x, kind);
    yield* body(x);
    yield { fn: 'irq_exit', what: `return from ${kind}` };
    this.setupData.hooks.irq_exit?.(x, kind);
  }

  private *schedule(x: Exec<K, E>, cpu: Cpu, prev: Task, next: Task): Gen {
    const hooks = this.setupData.hooks;
    cpu.irqsOff = true; // __schedule runs with the rq lock held, irqs off
    if (hooks.prepare_task_switch && !prev.idle) yield* hooks.prepare_task_switch(x, prev);
    yield { fn: 'context_switch', what: `switch_to(${prev.name} → ${next.name})` };
    if (prev.state === 'running') prev.state = 'runnable';
    next.state = 'running';
    next.cpu = cpu.id;
    cpu.curr = next.id;
    cpu.ctx[0] = { kind: 'thread', unit: this.taskUnit(next), savedIrqsOff: false };
    cpu.irqsOff = false; // finish_task_switch() drops the rq lock and enables irqs
    if (hooks.finish_task_switch && !next.idle) yield* hooks.finish_task_switch(x, next);
  }

  private taskUnit(t: Task): number {
    if (t.idle) return -1;
    return this.units.findIndex((u) => u.kind === 'task' && u.task === t.id);
  }

  // ---- choices -------------------------------------------------------------------------

  private allDone(): boolean {
    for (const u of this.units) if (!u.done) return false;
    return true;
  }

  private canRun(cpu: Cpu): boolean {
    const id = topCtx(cpu).unit;
    if (id < 0) return false;
    const u = this.units[id]!;
    if (u.done || !u.pending) return false;
    if (u.kind === 'task' && this.w.tasks[u.task as number]!.state !== 'running') return false;
    if (u.pending.until && !u.pending.until()) return false;
    return !(u.pending.lock !== undefined && this.w.locks[u.pending.lock] !== undefined);
  }

  /** Choice 0 continues the CPU that ran last; then other CPUs, interrupts, switches. */
  private runnable(): Choice[] {
    const out: Choice[] = [];
    const cpus = this.w.cpus;
    const last = cpus[this.lastCpu]!;
    if (this.canRun(last)) out.push({ kind: 'run', cpu: last });
    for (const c of cpus) if (c !== last && this.canRun(c)) out.push({ kind: 'run', cpu: c });
    for (const u of this.units) {
      if (u.kind !== 'irq' || u.fired) continue;
      const c = cpus[u.cpu]!;
      if (c.irqsOff) continue;
      const top = topCtx(c).kind;
      if (u.irqKind === 'softirq' && top !== 'thread') continue;
      out.push({ kind: 'irq', cpu: c, unit: u });
    }
    for (const c of cpus) {
      if (c.ctx.length !== 1 || c.irqsOff) continue;
      const curr = this.w.tasks[c.curr]!;
      const forced = curr.idle || curr.state === 'blocked';
      if (!forced && (curr.preempt_count > 0 || this.w.preemptions >= this.opts.maxPreemptions)) continue;
      for (const t of this.w.tasks) {
        if (t.state !== 'runnable' || t.idle) continue;
        if (t.migrate_disable > 0 && t.cpu !== c.id) continue;
        out.push({ kind: 'switch', cpu: c, to: t });
      }
    }
    return out;
  }

  // ---- one step ------------------------------------------------------------------------

  private step(ch: Choice): void {
    const before = this.trace ? this.observe() : null;
    this.stepWarnings = [];
    const track = this.opts.track;
    const unitsBefore = this.units.length;
    const pendingBefore = ch.kind === 'run' ? this.units[topCtx(ch.cpu).unit]!.pending : null;
    track?.begin();
    const cpu = ch.cpu;
    let unit: Unit;
    let fn: string;
    let what: string;
    if (ch.kind === 'run') {
      unit = this.units[topCtx(cpu).unit]!;
      const p = unit.pending!;
      fn = p.fn;
      what = p.what;
      if (p.lock !== undefined) this.w.locks[p.lock] = unit.id;
      this.inFlight = { i: this.stepNo, cpu: cpu.id, ctx: unit.name, fn, what, changes: [], spec: [], warnings: this.stepWarnings, switched: unit.id !== this.lastUnit };
      this.resume(unit, cpu);
      this.inFlight = null;
    } else if (ch.kind === 'irq') {
      unit = ch.unit;
      unit.fired = true;
      fn = ch.unit.irqKind === 'hardirq' ? 'irq_enter' : '__do_softirq';
      what = `${ch.unit.irqKind} ${ch.unit.name} interrupts ${this.w.tasks[cpu.curr]!.name}`;
      const ctx: Ctx = { kind: ch.unit.irqKind!, unit: unit.id, savedIrqsOff: cpu.irqsOff };
      cpu.ctx.push(ctx);
      if (ch.unit.irqKind === 'hardirq') cpu.irqsOff = true;
      this.prime(unit);
      if (unit.done) this.popCtx(cpu);
    } else {
      const prev = this.w.tasks[cpu.curr]!;
      if (!prev.idle && prev.state === 'running') this.w.preemptions++;
      ch.to.state = 'running'; // dequeued now: no other CPU may pick it while this switch runs
      unit = this.newUnit('sched', 'sched', -1, cpu.id);
      unit.gen = this.schedule(this.exec(unit), cpu, prev, ch.to);
      fn = '__schedule';
      what = `${prev.state === 'blocked' ? 'sleep' : prev.idle ? 'idle' : 'preempt'}: ${prev.name} → ${ch.to.name}`;
      cpu.ctx.push({ kind: 'sched', unit: unit.id, savedIrqsOff: cpu.irqsOff });
      this.prime(unit);
    }
    const switched = unit.id !== this.lastUnit;
    this.lastUnit = unit.id;
    this.lastCpu = cpu.id;
    if (this.trace && before) {
      this.trace.push({
        i: this.stepNo, cpu: cpu.id, ctx: unit.name, fn, what, changes: diff(before, this.observe()),
        spec: this.specQueue.map((e) => this.eventName(e)), warnings: this.stepWarnings, switched,
      });
    }
    if (track) this.attribute(track, ch, unit, pendingBefore, unitsBefore);
    this.stepNo++;
    this.applySpec();
  }

  /**
   * What the engine itself touched in this step, on top of what the proxy saw kernel code do.
   * Coarse on purpose (a whole CPU, all task states): over-approximating only costs reduction.
   */
  private attribute(track: FootprintRecorder, ch: Choice, unit: Unit, pending: YieldPoint | null, unitsBefore: number): void {
    track.write(`cpus.${ch.cpu.id}`);
    track.read(`tasks.${ch.cpu.curr}.state`);
    if (ch.kind === 'switch' || unit.kind === 'sched') track.write('tasks');
    if (unit.done && unit.kind === 'task') {
      track.write(`tasks.${unit.task}`);
      track.write(`tasks.${ch.cpu.id}`); // the CPU's idle task takes over
    }
    if (ch.kind === 'switch') track.write('preemptions');
    if (pending?.lock !== undefined) track.write(`locks.${pending.lock}`);
    if (pending?.until) track.read(EVERYTHING);
    if (this.specQueue.length > 0) track.write('spec');
    if (this.units.length !== unitsBefore) track.write('units');
    track.end();
  }

  /** See ChoiceKey in explore/strategy.ts. */
  private choiceKey(c: Choice): string {
    if (c.kind === 'irq') return `i${c.unit.id}@${c.cpu.id}`;
    if (c.kind === 'switch') return `s${c.cpu.id}>u${this.taskUnit(c.to)}`;
    const u = this.units[topCtx(c.cpu).unit]!;
    return `u${u.id}.${u.progress}@${c.cpu.id}`;
  }

  /** steps taken so far */
  get steps(): number { return this.stepNo; }

  /**
   * The state of this execution as a string, equal for equal states: the World, the spec
   * snapshot, and where every unit is (its step count and pending point stand for its
   * generator, which cannot be serialized: kernel code must keep its state in the World).
   */
  fingerprint(): string {
    let units = '';
    for (const u of this.units) units += `${u.progress}${u.done ? '.' : u.fired ? '!' : ''}${u.pending ? `${u.pending.fn}:${u.pending.what}` : ''}|`;
    const s = this.spec.snapshot;
    return `${JSON.stringify(this.w)}#${JSON.stringify(s.value)}#${JSON.stringify(s.context)}#${units}#${this.stepNo}`;
  }

  private resume(u: Unit, cpu: Cpu): void {
    u.progress++;
    const r = u.gen.next();
    if (!r.done) {
      u.pending = r.value;
      return;
    }
    u.done = true;
    u.pending = null;
    if (u.kind === 'task') {
      const t = this.w.tasks[u.task as number]!;
      t.state = 'done';
      const idle = this.w.tasks[cpu.id]!; // idle tasks are created first, one per CPU
      idle.state = 'running';
      cpu.curr = idle.id;
      cpu.ctx[0] = { kind: 'thread', unit: -1, savedIrqsOff: false };
    } else {
      this.popCtx(cpu);
    }
  }

  private popCtx(cpu: Cpu): void {
    const ctx = cpu.ctx.pop()!;
    if (ctx.kind !== 'sched') cpu.irqsOff = ctx.savedIrqsOff;
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
        const meaning = this.meaningOf(inv);
        throw this.stop('spec-refused', inv, meaning,
          `spec refused ${this.eventName(ev)} in state ${JSON.stringify(before.value)}`,
          { specState: describeSnapshot(before), event: this.eventName(ev) });
      }
    }
  }

  private meaningOf(name: string): string {
    return this.meanings.get(name) ?? name;
  }

  /** "KMAP_LOCAL(task=A, page=0)": task ids in the conventional fields print as task names. */
  private eventName(e: E): string {
    const { type, ...rest } = e as { type: string };
    const taskName = (k: string, v: unknown) => (TASK_FIELDS.has(k) && typeof v === 'number' ? this.w.tasks[v]?.name ?? v : v);
    const args = Object.entries(rest).map(([k, v]) => `${k}=${taskName(k, v)}`).join(', ');
    return `${type}(${args})`;
  }

  private checkInvariants(list: Invariant[]): void {
    const snap = this.spec.snapshot;
    for (const inv of list) {
      let msg: string | null | undefined | void;
      try {
        msg = inv.check!(this.w, snap);
      } catch (e) {
        throw new InvariantThrew(inv.name, e);
      }
      if (msg) throw this.stop('invariant', inv.name, inv.description, msg);
    }
  }

  private observe(): Record<string, string> {
    const o: Record<string, string> = {};
    for (const t of this.w.tasks) if (!t.idle) o[`${t.name}.state`] = t.state;
    o['locks'] = Object.keys(this.w.locks).join(',') || '-';
    const p = this.protocol.observe?.(this.w) ?? {};
    for (const k in p) o[k] = String(p[k]);
    return o;
  }
}

/** A user invariant threw: reported as bad input, naming the invariant. */
export class InvariantThrew extends Error {
  constructor(readonly invariant: string, readonly cause: unknown) {
    super(`invariant ${invariant} threw: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'InvariantThrew';
  }
}

function diff(a: Record<string, string>, b: Record<string, string>): string[] {
  const out: string[] = [];
  for (const k in b) if (a[k] !== b[k]) out.push(`${k}: ${a[k] ?? '∅'} → ${b[k]}`);
  for (const k in a) if (!(k in b)) out.push(`${k}: ${a[k]} → ∅`);
  return out;
}

export function execute<K, E>(protocol: Protocol<K, E>, variant: Variant, workload: unknown, strategy: Strategy, opts: ExecOptions): Execution {
  return new Engine(protocol, variant, workload, strategy, opts).run();
}
