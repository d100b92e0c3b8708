/**
 * The execution loop: one Machine (World, units, contexts), one spec snapshot, one strategy.
 * Each step the strategy picks one runnable choice (choices.ts); after the step the spec
 * consumes the events the step reported and every invariant is evaluated with the ghost state
 * the machine records.
 *
 * A preemption is a decision that switches away from the unit that ran last while it could have
 * gone on (choice 0 is always "go on" when that is possible); switches when it blocks, waits or
 * ends are free. Preemptions and environment actions are bounded per run by the options.
 *
 * Searches drive the loop one decision at a time (decide, take) and, for restartable protocols,
 * save and restore whole states (snapshot, restore) instead of re-executing prefixes.
 */
import { kernelInvariants } from '../../properties/kernel.js';
import type { Invariant, Protocol, Variant } from '../protocol.js';
import type { CpuId } from '../sim/ids.js';
import { KernelBug, type YieldPoint } from '../sim/thread.js';
import type { PreemptModel, World } from '../sim/world.js';
import { runnable } from './choices.js';
import { hasher } from './plain.js';
import { hashWorld, loadWorld, saveWorld, type SavedWorld } from './state-codec.js';
import { copyGhost, type Ghost } from './ghost.js';
import { Machine } from './machine.js';
import { mix, type Recorder } from './record.js';
import type { Execution, Failure, TraceStep } from './result.js';
import { describeSnapshot, SpecRunner } from './spec.js';
import { StrategySignal, type Strategy } from './strategy.js';
import { diff, eventName, observe } from './trace.js';
import { choiceKey, type Choice, type Unit } from './units.js';

export interface ExecOptions {
  cpus: number;
  /** steps after which a run that has not finished is reported as livelock */
  maxSteps: number;
  /** preemptions allowed per run (Infinity: unbounded) */
  maxPreemptions: number;
  /** delays (choices other than the first) allowed per run; default unbounded */
  maxDelays?: number;
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

/** A scheduling decision: the choices of the current state. */
export interface Decision {
  choices: Choice[];
  /** the unit that ran last can go on: any other choice preempts it */
  cont: boolean;
  /** the choices' keys (see ChoiceKey), for strategies and searches that ask for them */
  keys(): string[];
}

/** A failure of the kernel model, thrown through the loop to the caller of a step. */
export class Stop extends Error {
  constructor(readonly failure: Failure) { super(failure.message); }
}

/** A user invariant threw: reported as bad input, naming the invariant. */
export class InvariantThrew extends Error {
  constructor(readonly invariant: string, readonly cause: unknown) {
    super(`invariant ${invariant} threw: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'InvariantThrew';
  }
}

/** A whole state of a restartable execution, to come back to (see Engine.snapshot). */
export interface Snapshot {
  /** the World's changing part (state-codec.ts; cost counters are not kept) */
  world: SavedWorld<unknown>;
  units: Pick<Unit, 'started' | 'done' | 'fired' | 'steps' | 'history'>[];
  ghost: Ghost;
  fresh: boolean[];
  stepNo: number; lastCpu: number; lastUnit: number; preemptions: number; delays: number; envSteps: number;
  spec: SpecRunner['snapshot'];
  choices: number;
}

export class Engine<K, E> {
  readonly m: Machine<K, E>;
  readonly spec: SpecRunner;
  private readonly invariants: Invariant[];
  private readonly finalInvariants: Invariant[];
  private readonly meanings: Map<string, string>;
  private readonly choices: number[] = [];
  private readonly trace: TraceStep[] | null;
  /** the step being executed, so that a step which throws still appears in the trace */
  private inFlight: TraceStep | null = null;
  /** tasks the workload set up (snapshots keep only their changing fields) */
  private readonly fixedTasks: number;

  constructor(
    private readonly protocol: Protocol<K, E>,
    variant: Variant,
    workload: unknown,
    private readonly strategy: Strategy,
    private readonly opts: ExecOptions,
  ) {
    const setup = protocol.setup(workload, variant, { cpus: opts.cpus });
    this.m = new Machine(protocol, setup, opts.cpus, opts.preempt ?? 'full', opts.record);
    this.spec = new SpecRunner(protocol.machine, setup.specInput, { shared: !opts.coverage });
    opts.coverage?.attach(this.spec);
    const all = [...kernelInvariants, ...protocol.invariants, ...(opts.extraInvariants ?? [])];
    this.meanings = new Map(all.map((i) => [i.name, i.description]));
    this.invariants = all.filter((i) => i.check && !i.final);
    this.finalInvariants = all.filter((i) => i.check && i.final);
    this.trace = opts.trace ? [] : null;
    this.fixedTasks = this.m.w.tasks.length;
  }

  get w(): World<K> { return this.m.w; }
  get ghost(): Ghost { return this.m.ghost; }
  /** steps taken so far */
  get steps(): number { return this.m.stepNo; }

  /** Runs to completion or to the first failure. */
  run(): Execution {
    const failure = this.attempt(() => {
      this.begin();
      for (let d = this.decide(); d; d = this.decide()) {
        const pick = d.choices.length > 1 ? this.strategy.next(d.choices.length, this.strategy.keyed ? d.keys() : undefined) : 0;
        this.take(d, pick, !this.strategy.replaying);
      }
      this.finish();
    });
    return this.result(failure);
  }

  /** The checks of the initial state. */
  begin(): void {
    this.checkInvariants(this.invariants);
  }

  /** The outcome so far, as an Execution. */
  result(failure: Failure | null): Execution {
    const m = this.m;
    return {
      failure, steps: m.stepNo, choices: this.choices, preemptions: m.preemptions, envSteps: m.envSteps,
      counters: m.w.counters, warnings: m.w.warnings, trace: this.trace,
    };
  }

  /** Runs `f`; a failure of the kernel model comes back as data, anything else is thrown on. */
  attempt(f: () => void): Failure | null {
    try {
      f();
      return null;
    } catch (e) {
      if (e instanceof Stop) return e.failure;
      if (e instanceof StrategySignal || e instanceof InvariantThrew) throw e; // not a kernel failure
      const failure = this.threw(e);
      // the step that died still belongs in the trace
      if (this.trace && this.inFlight) this.trace.push({ ...this.inFlight, changes: [failure.message] });
      return failure;
    }
  }

  /**
   * The next decision, or null when every unit has finished. Throws a Stop for a livelock (the
   * step budget is spent) or a deadlock (units left, none can run).
   */
  decide(): Decision | null {
    const m = this.m;
    if (m.units.every((u) => u.done)) return null;
    if (m.stepNo >= this.opts.maxSteps) {
      throw this.stop('livelock', 'kernel/progress', 'every thread finishes within the step budget',
        `no progress to completion within ${this.opts.maxSteps} steps (livelock)`);
    }
    const { choices, cont } = runnable(m, this.opts);
    if (!choices.some((c) => c.kind !== 'env')) {
      const stuck = m.units.filter((u) => !u.done).map((u) => `${u.name}${u.pending ? ` at ${u.pending.fn}: ${u.pending.what}` : ''}`);
      throw this.stop('deadlock', 'kernel/progress', 'every thread finishes: no one waits forever',
        `deadlock: nothing can run, still waiting: ${stuck.join('; ')}`);
    }
    return { choices, cont, keys: () => choices.map((c) => choiceKey(c, (t) => m.taskUnit(t))) };
  }

  /** Takes choice `pick` of `d`, then (unless told not to) checks the invariants. */
  take(d: Decision, pick: number, check = true): void {
    if (d.choices.length > 1) this.choices.push(pick);
    const preempted = d.cont && pick !== 0;
    if (preempted) this.m.preemptions++;
    if (pick !== 0) this.m.delays++;
    this.step(d.choices[pick]!, preempted);
    if (check) this.checkInvariants(this.invariants);
  }

  /** The checks at the end of an execution, once every unit has finished. */
  finish(): void {
    this.checkInvariants(this.finalInvariants);
  }

  /**
   * The state of this execution as a 53-bit hash, equal for equal states: the World's changing
   * part (not the cost counters, which kernel code only adds to), the spec snapshot, the
   * scheduler's own state (which CPUs just switched, what the bounds leave) and for every unit
   * where it waits and the hash of what it has read so far, which stands for its generator's
   * locals (restartable units and finished ones keep none). The step count is not part of it: how
   * many steps led to a state does not change its future.
   */
  stateHash(): number {
    const m = this.m;
    hasher.begin();
    hashWorld(m.w);
    const s = this.spec.snapshot;
    hasher.value(s.value);
    hasher.value(s.context);
    // which CPU and unit ran last matter only to a preemption bound (they decide what counts as one)
    if (Number.isFinite(this.opts.maxPreemptions)) {
      hasher.num(m.lastCpu);
      hasher.num(m.lastUnit);
      hasher.num(this.opts.maxPreemptions - m.preemptions);
    }
    if (Number.isFinite(this.opts.maxEnvSteps)) hasher.num(this.opts.maxEnvSteps - m.envSteps);
    if (this.opts.maxDelays !== undefined) hasher.num(this.opts.maxDelays - m.delays);
    for (const f of m.fresh) hasher.num(f ? 1 : 0);
    hasher.num(m.units.length);
    for (const u of m.units) {
      hasher.num(u.started ? (u.done ? 3 : u.fired ? 2 : 1) : u.fired ? 4 : 0);
      const p = u.restart || u.done ? null : u.pending;
      if (!p) continue;
      hasher.str(p.fn);
      hasher.str(p.what);
      hasher.value(p.lock);
      hasher.num(u.history);
    }
    return hasher.end();
  }

  /**
   * The whole state, to come back to with restore(): only for restartable protocols, whose units
   * keep nothing outside the World (Protocol.restartable); throws otherwise.
   */
  snapshot(): Snapshot {
    const m = this.m;
    const live = m.units.find((u) => u.started && !u.done && !u.restart);
    if (live) throw new Error(`internal: ${live.name} is not restartable: this state cannot be saved`);
    return {
      world: saveWorld(m.w, this.fixedTasks), ghost: copyGhost(m.ghost), fresh: [...m.fresh],
      units: m.units.map((u) => ({ started: u.started, done: u.done, fired: u.fired, steps: u.steps, history: u.history })),
      stepNo: m.stepNo, lastCpu: m.lastCpu, lastUnit: m.lastUnit, preemptions: m.preemptions, delays: m.delays, envSteps: m.envSteps,
      spec: this.spec.snapshot, choices: this.choices.length,
    };
  }

  restore(s: Snapshot): void {
    const m = this.m;
    loadWorld(m.w as World<unknown>, s.world, this.fixedTasks);
    m.ghost = copyGhost(s.ghost);
    m.fresh = [...s.fresh];
    m.units.length = s.units.length;
    s.units.forEach((st, i) => {
      const u = m.units[i]!;
      Object.assign(u, st);
      u.gen = null;
      u.pending = null;
      u.stale = true;
    });
    Object.assign(m, { stepNo: s.stepNo, lastCpu: s.lastCpu, lastUnit: s.lastUnit, preemptions: s.preemptions, delays: s.delays, envSteps: s.envSteps });
    m.specQueue = [];
    this.spec.snapshot = s.spec;
    this.choices.length = s.choices;
  }

  private threw(e: unknown): Failure {
    const msg = e instanceof Error ? e.message : String(e);
    const bug = e instanceof KernelBug;
    return {
      kind: 'thread-threw', invariant: bug ? 'kernel/BUG' : 'kernel/thread-threw', step: this.m.stepNo,
      meaning: bug ? 'the kernel never hits a BUG()' : 'modelled kernel code never throws', message: msg,
    };
  }

  private stop(kind: Failure['kind'], invariant: string, meaning: string, message: string, extra: Partial<Failure> = {}): Stop {
    return new Stop({ kind, invariant, meaning, message, step: this.m.stepNo - 1, ...extra });
  }

  // ---- one step ------------------------------------------------------------------------

  private step(ch: Choice, preempted: boolean): void {
    const m = this.m;
    const before = this.trace ? observe(m.w, this.protocol) : null;
    m.stepWarnings = [];
    if (m.stepReleases.length) m.stepReleases = [];
    m.ghost.ended = [];
    m.ghost.step = m.stepNo;
    const record = this.opts.record;
    const cpu = ch.cpu;
    const pendingBefore = ch.kind === 'run' ? ch.unit.pending : null;
    const unitsBefore = m.units.length;
    const locksBefore = m.locksHeld();
    record?.begin();
    // what made the choice possible is read by it: its unit's condition, the environment's
    if (record?.o.footprints) {
      if (ch.kind === 'run') ch.unit.pending?.until?.();
      if (ch.kind === 'env') this.protocol.environment!(m.kw);
    }
    let unit: Unit | null = null;
    let fn: string;
    let what: string;
    const inFlight = (ctx: string, f: string, w: string) => ({ i: m.stepNo, cpu: cpu.id, ctx, fn: f, what: w, changes: [], spec: [], warnings: m.stepWarnings, switched: false });
    switch (ch.kind) {
      case 'run': {
        unit = ch.unit;
        this.inFlight = inFlight(unit.name, unit.pending?.fn ?? unit.name, unit.pending?.what ?? 'starts');
        ({ fn, what } = m.runUnit(unit));
        if (unit.kind === 'task') m.fresh[cpu.id] = false;
        break;
      }
      case 'irq': {
        unit = ch.unit;
        fn = unit.irqKind === 'hardirq' ? 'irq_enter' : '__do_softirq';
        what = ch.bh ? `softirq ${unit.name} runs from local_bh_enable() in ${m.w.tasks[cpu.curr]!.name}` : `${unit.irqKind} ${unit.name} interrupts ${m.w.tasks[cpu.curr]!.name}`;
        m.enterIrq(cpu, unit, !ch.bh);
        break;
      }
      case 'switch': {
        const prev = m.w.tasks[cpu.curr]!;
        fn = '__schedule';
        what = `${prev.state === 'blocked' ? 'sleep' : prev.idle ? 'idle' : 'preempt'}: ${prev.name} → ${ch.to.name}`;
        unit = m.beginSwitch(cpu, ch.to);
        break;
      }
      case 'env': {
        fn = ch.action.fn;
        what = ch.action.what;
        this.inFlight = inFlight('env', fn, what);
        m.runEnv(cpu.id as CpuId, ch.action);
        break;
      }
    }
    this.inFlight = null;
    m.noteReleases(locksBefore, unit);
    m.invalidate();
    if (record) this.attribute(record, ch, unit, pendingBefore, preempted, unitsBefore);
    const read = record?.end() ?? 0;
    if (unit) {
      unit.history = mix(unit.history, read);
      unit.steps++;
    }
    const switched = unit !== null && unit.id !== m.lastUnit;
    if (unit) {
      m.lastUnit = unit.id;
      m.lastCpu = cpu.id;
    }
    if (this.trace && before) {
      this.trace.push({
        i: m.stepNo, cpu: cpu.id, ctx: unit?.name ?? 'env', fn, what, changes: diff(before, observe(m.w, this.protocol)),
        spec: m.specQueue.map((e) => eventName(m.w, e)), warnings: m.stepWarnings, switched, ...(preempted ? { preempted } : {}),
      });
    }
    m.stepNo++;
    this.applySpec();
  }

  /**
   * What the engine itself touched in this step, on top of what the proxy saw kernel code do.
   * Coarse on purpose (a whole CPU, all task states): over-approximating only costs reduction.
   */
  private attribute(record: Recorder, ch: Choice, unit: Unit | null, pending: YieldPoint | null, preempted: boolean, unitsBefore: number): void {
    if (!record.o.footprints) return;
    const m = this.m;
    record.write(`cpus.${ch.cpu.id}`);
    record.read(`tasks.${ch.cpu.curr}.state`);
    // what the bounds leave, when they bound anything
    if ((preempted && Number.isFinite(this.opts.maxPreemptions)) || (ch.kind === 'env' && Number.isFinite(this.opts.maxEnvSteps))) record.write('budgets');
    // a unit's steps follow its creation, and its entry for an interrupt
    if (ch.kind === 'irq') record.write(`u.${ch.unit.id}`);
    else if (unit) record.read(`u.${unit.id}`);
    for (let id = unitsBefore; id < m.units.length; id++) record.write(`u.${id}`);
    if (ch.kind === 'switch' || unit?.kind === 'sched') record.write('tasks');
    if (unit?.done && unit.kind === 'task') {
      record.write(`tasks.${unit.task}`);
      record.write(`tasks.${ch.cpu.id}`); // the CPU's idle task takes over
    }
    if (pending?.lock !== undefined) record.write(`locks.${pending.lock}`);
    if (m.specQueue.length > 0) record.write('spec');
  }

  // ---- refinement and invariants -------------------------------------------------------

  private applySpec(): void {
    const m = this.m;
    if (m.specQueue.length === 0) return;
    const q = m.specQueue;
    m.specQueue = [];
    for (const ev of q) {
      const before = this.spec.snapshot;
      if (!this.spec.send(ev)) {
        const inv = this.protocol.refusal(ev);
        throw this.stop('spec-refused', inv, this.meanings.get(inv) ?? inv,
          `spec refused ${eventName(m.w, ev)} in state ${JSON.stringify(before.value)}`,
          { specState: describeSnapshot(before), event: eventName(m.w, ev) });
      }
    }
  }

  private checkInvariants(list: Invariant[]): void {
    const snap = this.spec.snapshot;
    for (const inv of list) {
      let msg: string | null | undefined | void;
      try {
        msg = inv.check!(this.m.w, snap, this.m.ghost);
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
