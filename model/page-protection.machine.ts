/**
 * Specification of PKS page protection (page-protection.md A.2/A.3, from tglx's framing in
 * <878s9vqkrk.fsf@nanos.tec.linutronix.de> and <873602redz.fsf@nanos.tec.linutronix.de>): who may
 * write a protected page, independent of how a design keeps PKRS.
 *  - a kmap() address is valid in every context until kunmap(): a global grant of its page;
 *  - a kmap_local_page() grant, and a direct pks_set_readwrite() grant of a key, belong to the
 *    context that made them (thread, softirq, hardirq, exception) and are balanced before that
 *    context returns;
 *  - a forgiven PK fault (RELAXED/SILENT) unprotects the faulting context temporarily; that is
 *    undone when the context is left (context switch, return from interrupt), or, where a design
 *    documents it (V10: "relaxed -- WARN_ONCE, removed the protections"), when the thread's own
 *    grants of the key next drop to none;
 *  - the mode is what the administrator's parameter means.
 * Contexts come from the engine's side, not from kernel code: the protocol's entry hooks report
 * irqentry contexts, and the interrupt programs report their own start and end, which is the only
 * way to see a softirq run from local_bh_enable() (no irqentry, no hook). Per-task context stacks
 * and per-page counts live in context maps keyed by id.
 */
import { assign, setup } from 'xstate';
import type { KmapEvent } from './kmap.machine.js';

export type Mode = 'STRICT' | 'RELAXED' | 'SILENT' | 'OFF';
/** which faults a non-STRICT mode forgives, as each design documents it */
export type Forgive = 'never' | 'any' | 'kmapped';
/** the documented weakening a design accepts (A.3, A.4 #5, V9 41/45's relaxed mode) */
export type Weakening = 'none' | 'irq-inherits' | 'time-slice' | 'extended-window' | 'sticky-override';

/**
 * One execution context of a task: its own kmap_local grants (pages), direct key grants, and
 * temporary unprotects (keys); `unit` is the engine unit running it, `bh` a softirq run from
 * local_bh_enable() (reported by its program, not by an irqentry hook).
 */
export interface PpFrame {
  locals: number[]; keys: number[]; temp: number[]; unit: number; bh: boolean;
  /**
   * a #PF that forgave its fault: what is left of it is the return to the faulting context, which
   * may already run with that context's PKRS (V10 pks_update_exception() writes it to the MSR)
   */
  returning?: boolean;
}

export interface PpSpecContext {
  mode: Mode;
  runtimeModes: Mode[];
  forgive: Forgive;
  weakening: Weakening;
  /** pkey in each page's PTE (0: unprotected memory) */
  pkey: number[];
  /** keys their users grant directly (pks_set_*), not through the pgmap count; never switched off by the mode */
  direct: number[];
  /** a nohz_full CPU that runs no protected-memory user (-1: none) */
  isolated: number;
  /** kmap() users per page */
  users: number[];
  /** per task: thread context at [0], nested interrupts/exceptions above */
  frames: Record<number, PpFrame[]>;
  /** per CPU: keys a global restrict left open until that CPU's next context switch */
  grace: number[][];
  /**
   * per task: keys whose latest global restrict it made itself, from its thread context, since it
   * was last switched in. The restricting CPU denies the key at once (pks_mk_noaccess() writes
   * its own PKRS), so the grace does not cover this task while it stays on that CPU.
   */
  restricted: Record<number, number[]>;
  /** faults forgiven in RELAXED mode so far (each must come with a WARN: fault-policy) */
  relaxedForgiven: number;
  /** writes that only the documented weakening allowed (strong-form findings), "<weakening>: what" */
  info: string[];
}

type IrqEvent = { task: number; unit: number; irqentry: boolean };

export type PpEvent =
  | Exclude<KmapEvent, { type: 'IRQ_ENTER' | 'IRQ_EXIT' | 'EXIT' }>
  /** a context begins on `task`'s stack: from the irqentry hook, or from a softirq program itself */
  | ({ type: 'IRQ_ENTER' } & IrqEvent)
  | ({ type: 'IRQ_EXIT' } & IrqEvent)
  /** a write through a mapping the context was given ('map') or through the linear map ('stray') */
  | { type: 'WRITE'; task: number; cpu: number; page: number; via: 'map' | 'stray'; ok: boolean }
  | { type: 'FORGIVE'; task: number; page: number }
  /** pks_set_readwrite (open) / pks_set_noaccess of a key by its direct user */
  | { type: 'PKS_SET'; task: number; key: number; open: boolean }
  | { type: 'SCHED_OUT'; task: number }
  | { type: 'SCHED_IN'; cpu: number }
  | { type: 'EXIT'; task: number; cpu: number }
  /** a runtime write of memremap.pks_fault_mode (sysfs) */
  | { type: 'PARAM'; value: string };

export interface PpInput {
  pkey: number[]; cpus: number; mode: Mode; forgive: Forgive; weakening: Weakening;
  /** the mode names a runtime write may select */
  runtimeModes: Mode[];
  direct: number[];
  isolated: number;
}

/** What a written string means: a known name (a trailing newline aside), else no change. */
export function meaning(value: string, names: readonly Mode[]): Mode | undefined {
  const word = value.endsWith('\n') ? value.slice(0, -1) : value;
  return names.find((m) => m.toLowerCase() === word);
}

const EMPTY: PpFrame = { locals: [], keys: [], temp: [], unit: -1, bh: false };
export const framesOf = (c: PpSpecContext, task: number): PpFrame[] => c.frames[task] ?? [EMPTY];
export const topFrame = (c: PpSpecContext, task: number): PpFrame => framesOf(c, task).at(-1)!;
/** the memremap mode switches off pgmap protection only; a direct user's key is always enforced */
export const isProtectedKey = (c: PpSpecContext, key: number) => key !== 0 && (c.direct.includes(key) || c.mode !== 'OFF');
export const isProtected = (c: PpSpecContext, page: number) => isProtectedKey(c, c.pkey[page] ?? 0);
export const protectedKeys = (c: PpSpecContext) => [...new Set(c.pkey)].filter((k) => isProtectedKey(c, k));
/** an outstanding kmap() of some page carrying `key` */
export const kmappedKey = (c: PpSpecContext, key: number) => c.users.some((n, p) => n > 0 && c.pkey[p] === key);
/** the frame holds a grant of `key` of its own: a kmap_local of such a page or a direct grant */
export const ownGrant = (c: PpSpecContext, f: PpFrame, key: number) =>
  f.keys.includes(key) || f.locals.some((p) => c.pkey[p] === key);
/** ... or a temporary unprotect */
export const frameGrants = (c: PpSpecContext, f: PpFrame, key: number) => f.temp.includes(key) || ownGrant(c, f, key);
/** any context anywhere holds a grant of `key` */
export const anyGrant = (c: PpSpecContext, key: number) =>
  kmappedKey(c, key) || Object.values(c.frames).some((fs) => fs.some((f) => frameGrants(c, f, key)));
/**
 * PKS protects per key, not per page: a context granted a key may write every page carrying it,
 * and an outstanding kmap() address is usable from any context.
 */
const holds = (c: PpSpecContext, task: number, page: number) =>
  kmappedKey(c, c.pkey[page]!) || runsWith(c, task, c.pkey[page]!);

/** The innermost context of `task` holds `key`, or is a forgiving #PF returning to a context that does. */
export function runsWith(c: PpSpecContext, task: number, key: number): boolean {
  const fs = framesOf(c, task);
  const top = fs.at(-1)!;
  return frameGrants(c, top, key) || (top.returning === true && fs.length > 1 && frameGrants(c, fs.at(-2)!, key));
}

/**
 * The weakening (if any) under which the running context may still have `key` open without a
 * grant of its own: the interrupted thread's grant (V-RFC), the time slice after a global
 * restrict (V-GLOBAL). Returns its name, or null.
 */
export function weaklyOpen(c: PpSpecContext, task: number, cpu: number, key: number): Weakening | null {
  const fs = framesOf(c, task);
  if (c.weakening === 'irq-inherits' && fs.length > 1 && fs.slice(0, -1).some((f) => frameGrants(c, f, key))) return 'irq-inherits';
  if (c.weakening === 'time-slice' && (c.grace[cpu] ?? []).includes(key) && !(c.restricted[task] ?? []).includes(key)) return 'time-slice';
  return null;
}

const setTop = (c: PpSpecContext, task: number, f: PpFrame) => {
  const fs = framesOf(c, task).slice();
  fs[fs.length - 1] = f;
  return { frames: { ...c.frames, [task]: fs } };
};
const balanced = (f: PpFrame) => f.locals.length === 0 && f.keys.length === 0;
/** IRQ_EXIT pops the top frame: an irqentry exit pops its own frame, a bh softirq's program end pops its frame */
function exitPops(c: PpSpecContext, e: IrqEvent): boolean {
  const fs = framesOf(c, e.task);
  const top = fs.at(-1)!;
  return fs.length > 1 && top.unit === e.unit && top.bh === !e.irqentry;
}

export const pageProtectionMachine = setup({
  types: { context: {} as PpSpecContext, events: {} as PpEvent, input: {} as PpInput },
  guards: {
    anyCount: ({ context }) => anyCounted(context),
    anyTemp: ({ context }) => anyTemporary(context),
    // kmap() may sleep: never from atomic context
    kmapAllowed: ({ event }) => event.type === 'KMAP' && !event.atomic,
    hasUser: ({ context, event }) => event.type === 'KUNMAP' && (context.users[event.page] ?? 0) > 0,
    // a context unmaps only what it mapped itself, innermost first
    ownsLocal: ({ context, event }) => event.type === 'KUNMAP_LOCAL' && topFrame(context, event.task).locals.at(-1) === event.page,
    // an interrupt returns with its own grants balanced (A-INV5); an irqentry exit has its frame;
    // a softirq program's end under an irqentry leaves the pop to the hook's exit
    exitAllowed: ({ context, event }) => {
      if (event.type !== 'IRQ_EXIT') return false;
      if (exitPops(context, event)) return balanced(topFrame(context, event.task));
      return !event.irqentry;
    },
    // nothing local is held at return to user or exit
    holdsNothing: ({ context, event }) =>
      (event.type === 'RETURN_TO_USER' || event.type === 'EXIT') && balanced(topFrame(context, event.task)),
    // a stray write never succeeds; a write through a given mapping, or by a context holding
    // the key, never dies
    writeAllowed: ({ context, event }) => {
      if (event.type !== 'WRITE') return false;
      const { task, cpu, page } = event;
      // a temporary unprotect is a tolerance, not a grant: losing it may kill a stray write
      if (!event.ok) return isProtected(context, page) && event.via === 'stray' && !ownGrant(context, topFrame(context, task), context.pkey[page]!);
      if (event.via === 'map' || !isProtected(context, page) || holds(context, task, page)) return true;
      return weaklyOpen(context, task, cpu, context.pkey[page]!) !== null;
    },
    // A-INV1 (b), A-INV6: a PK fault is forgiven only as the configured mode and design allow
    // (the WARN a RELAXED forgiveness owes is checked against the kernel log: fault-policy)
    forgivable: ({ context, event }) => {
      if (event.type !== 'FORGIVE' || !isProtected(context, event.page) || framesOf(context, event.task).length < 2) return false;
      if (context.mode === 'STRICT' || context.forgive === 'never') return false;
      return context.forgive === 'any' || (context.users[event.page] ?? 0) > 0;
    },
  },
  actions: {
    addUser: assign(({ context, event }) => {
      if (event.type !== 'KMAP' && event.type !== 'KUNMAP') return {};
      const users = context.users.slice();
      users[event.page] = (users[event.page] ?? 0) + (event.type === 'KMAP' ? 1 : -1);
      const key = context.pkey[event.page]!;
      // a global restrict takes effect on each CPU at its next switch (V-GLOBAL, A-INV7)
      const restrict = event.type === 'KUNMAP' && context.weakening === 'time-slice' && key !== 0 &&
        !users.some((n, p) => n > 0 && context.pkey[p] === key);
      if (!restrict) return { users };
      const grace = context.grace.map((g) => (g.includes(key) ? g : [...g, key]));
      const restricted = Object.fromEntries(Object.entries(context.restricted).map(([t, keys]) => [t, keys.filter((k) => k !== key)]));
      if (framesOf(context, event.task).length === 1) restricted[event.task] = [...(restricted[event.task] ?? []), key];
      return { users, grace, restricted };
    }),
    push: assign(({ context, event }) => {
      if (event.type !== 'KMAP_LOCAL') return {};
      const f = topFrame(context, event.task);
      return setTop(context, event.task, { ...f, locals: [...f.locals, event.page] });
    }),
    pop: assign(({ context, event }) => {
      if (event.type !== 'KUNMAP_LOCAL') return {};
      const f = topFrame(context, event.task);
      const popped = setTop(context, event.task, { ...f, locals: f.locals.slice(0, -1) });
      // a sticky override ends when the thread's own grants of the key drop to none
      const key = context.pkey[event.page]!;
      const fs = popped.frames[event.task]!;
      if (context.weakening !== 'sticky-override' || fs.some((g) => g.locals.some((p) => context.pkey[p] === key))) return popped;
      return { frames: { ...popped.frames, [event.task]: fs.map((g, i) => (i === 0 ? { ...g, temp: g.temp.filter((k) => k !== key) } : g)) } };
    }),
    setKey: assign(({ context, event }) => {
      if (event.type !== 'PKS_SET') return {};
      const f = topFrame(context, event.task);
      const keys = f.keys.filter((k) => k !== event.key);
      return setTop(context, event.task, { ...f, keys: event.open ? [...keys, event.key] : keys });
    }),
    // an irqentry hook and then the program of the same softirq both report its start: one frame
    enterIrq: assign(({ context, event }) => {
      if (event.type !== 'IRQ_ENTER') return {};
      const fs = framesOf(context, event.task);
      if (!event.irqentry && fs.length > 1 && fs.at(-1)!.unit === event.unit) return {};
      return { frames: { ...context.frames, [event.task]: [...fs, { ...EMPTY, unit: event.unit, bh: !event.irqentry }] } };
    }),
    exitIrq: assign(({ context, event }) => {
      if (event.type !== 'IRQ_EXIT' || !exitPops(context, event)) return {};
      return { frames: { ...context.frames, [event.task]: framesOf(context, event.task).slice(0, -1) } };
    }),
    // decided inside the #PF: the override covers the rest of the handler and, after it
    // returns, the context the #PF interrupted
    forgive: assign(({ context, event }) => {
      if (event.type !== 'FORGIVE') return {};
      const key = context.pkey[event.page]!;
      const fs = framesOf(context, event.task).map((f, i, all) =>
        i < all.length - 2 ? f : { ...f, temp: f.temp.includes(key) ? f.temp : [...f.temp, key], ...(i === all.length - 1 ? { returning: true } : {}) });
      return { frames: { ...context.frames, [event.task]: fs }, relaxedForgiven: context.relaxedForgiven + (context.mode === 'RELAXED' ? 1 : 0) };
    }),
    // the temporary unprotect of a thread context ends when it is switched out (unless sticky)
    schedOut: assign(({ context, event }) => {
      if (event.type !== 'SCHED_OUT') return {};
      const restricted = { ...context.restricted, [event.task]: [] };
      if (context.weakening === 'sticky-override') return { restricted };
      const fs = framesOf(context, event.task).slice();
      fs[0] = { ...fs[0]!, temp: [] };
      return { frames: { ...context.frames, [event.task]: fs }, restricted };
    }),
    // an exiting task leaves its contexts (a sticky override dies with the thread); its CPU
    // starts a new time slice with the idle task
    exit: assign(({ context, event }) => {
      if (event.type !== 'EXIT') return {};
      const grace = context.grace.slice();
      grace[event.cpu] = [];
      if (context.weakening === 'sticky-override') return { grace };
      return { frames: { ...context.frames, [event.task]: framesOf(context, event.task).map((f) => ({ ...f, temp: [] })) }, grace };
    }),
    schedIn: assign(({ context, event }) => {
      if (event.type !== 'SCHED_IN') return {};
      const grace = context.grace.slice();
      grace[event.cpu] = [];
      return { grace };
    }),
    // what the strong form gives up: a write allowed only by the weakening, or by an unprotect
    // that outlived the kmap() it was forgiven for (V-TGLX's extended window)
    noteWrite: assign(({ context, event }) => {
      if (event.type !== 'WRITE' || !event.ok || event.via === 'map' || !isProtected(context, event.page)) return {};
      const key = context.pkey[event.page]!;
      const f = topFrame(context, event.task);
      if (kmappedKey(context, key) || ownGrant(context, f, key)) return {};
      const override = context.weakening === 'extended-window' || context.weakening === 'sticky-override' ? context.weakening : `${context.mode.toLowerCase()}-override`;
      const why = f.temp.includes(key) ? override : weaklyOpen(context, event.task, event.cpu, key);
      return { info: [...context.info.slice(-7), `${why}: write to p${event.page} by task ${event.task} without a grant`] };
    }),
    touch: assign(({ context }) => ({ frames: { ...context.frames } })),
    setMode: assign(({ context, event }) => {
      if (event.type !== 'PARAM') return {};
      return { mode: meaning(event.value, context.runtimeModes) ?? context.mode };
    }),
    newTask: assign(({ context, event }) => (event.type === 'FORK' ? { frames: { ...context.frames, [event.child]: [EMPTY] } } : {})),
  },
}).createMachine({
  id: 'page-protection',
  type: 'parallel',
  context: ({ input }) => ({
    mode: input.mode, runtimeModes: input.runtimeModes, forgive: input.forgive, weakening: input.weakening, pkey: input.pkey.slice(),
    direct: input.direct.slice(), isolated: input.isolated, users: input.pkey.map(() => 0), frames: {},
    grace: Array.from({ length: input.cpus }, () => []), restricted: {}, relaxedForgiven: 0, info: [],
  }),
  on: {
    KMAP: { guard: 'kmapAllowed', actions: 'addUser' },
    KUNMAP: { guard: 'hasUser', actions: 'addUser' },
    KMAP_LOCAL: { actions: 'push' },
    KUNMAP_LOCAL: { guard: 'ownsLocal', actions: 'pop' },
    IRQ_ENTER: { actions: 'enterIrq' },
    IRQ_EXIT: { guard: 'exitAllowed', actions: 'exitIrq' },
    PKS_SET: { actions: 'setKey' },
    WRITE: { guard: 'writeAllowed', actions: 'noteWrite' },
    FORGIVE: { guard: 'forgivable', actions: 'forgive' },
    SCHED_OUT: { actions: 'schedOut' },
    SCHED_IN: { actions: 'schedIn' },
    PARAM: { actions: 'setMode' },
    FORK: { actions: 'newTask' },
    RETURN_TO_USER: { guard: 'holdsNothing', actions: 'touch' },
    EXIT: { guard: 'holdsNothing', actions: 'exit' },
  },
  states: {
    // the mode follows what the parameter means, at boot and at every runtime write
    mode: {
      initial: 'boot',
      states: {
        boot: { always: toMode() },
        strict: { always: toMode('STRICT') },
        relaxed: { always: toMode('RELAXED') },
        silent: { always: toMode('SILENT') },
        off: { always: toMode('OFF') },
      },
    },
    // per key (PGMAP): nobody has access / granted by a count / only temporarily unprotected
    access: {
      initial: 'noAccess',
      states: {
        noAccess: { always: [{ guard: 'anyCount', target: 'granted' }, { guard: 'anyTemp', target: 'temporary' }] },
        granted: { always: { guard: ({ context }) => !anyCounted(context), target: 'noAccess' } },
        temporary: { always: [{ guard: 'anyCount', target: 'granted' }, { guard: ({ context }) => !anyTemporary(context), target: 'noAccess' }] },
      },
    },
  },
});

function toMode(from?: Mode) {
  return (['STRICT', 'RELAXED', 'SILENT', 'OFF'] as const).filter((m) => m !== from)
    .map((m) => ({ guard: ({ context }: { context: PpSpecContext }) => context.mode === m, target: m.toLowerCase() }));
}

function anyCounted(c: PpSpecContext): boolean {
  return c.users.some((n) => n > 0) || Object.values(c.frames).some((fs) => fs.some((f) => !balanced(f)));
}
function anyTemporary(c: PpSpecContext): boolean {
  return Object.values(c.frames).some((fs) => fs.some((f) => f.temp.length > 0));
}
