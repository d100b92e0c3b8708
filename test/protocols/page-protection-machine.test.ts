/**
 * The page-protection statechart on its own: every state of each region reachable with legal
 * events (xstate/graph), the forbidden transitions refused, and what the spec judges a stray
 * write, a legitimate death and a forgivable fault.
 */
import { describe, expect, test } from 'vitest';
import type { SnapshotFrom } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { pageProtectionMachine, type Mode, type PpEvent, type PpInput } from '../../model/page-protection.machine.js';
import { createSpecScope, SpecRunner } from '../../src/engine/spec.js';

type Snap = SnapshotFrom<typeof pageProtectionMachine>;
const T = 2;
const base: PpInput = {
  pkey: [1, 1, 0, 2], cpus: 2, mode: 'RELAXED', forgive: 'kmapped', weakening: 'extended-window', runtimeModes: ['STRICT', 'RELAXED'], direct: [2], isolated: -1,
};

const events: PpEvent[] = [
  { type: 'KMAP', task: T, page: 0, atomic: false },
  { type: 'KUNMAP', task: T, page: 0 },
  { type: 'KMAP_LOCAL', task: T, page: 1, cpu: 0, atomic: false },
  { type: 'KUNMAP_LOCAL', task: T, page: 1, atomic: false },
  { type: 'IRQ_ENTER', task: T, unit: 1, irqentry: true },
  { type: 'IRQ_EXIT', task: T, unit: 1, irqentry: true },
  { type: 'FORGIVE', task: T, page: 0 },
  { type: 'SCHED_OUT', task: T },
  { type: 'WRITE', task: T, cpu: 0, page: 0, via: 'stray', ok: true },
  { type: 'PKS_SET', task: T, key: 2, open: true },
  { type: 'PKS_SET', task: T, key: 2, open: false },
];

const big = (s: Snap) => s.context.users.some((n) => n > 1) ||
  Object.values(s.context.frames).some((fs) => fs.length > 2 || fs.some((f) => f.locals.length > 1 || f.temp.length > 1));

function reached(input: PpInput): Set<string> {
  const paths = getShortestPaths(pageProtectionMachine, {
    input, events, filterEvents: (s: Snap, e: PpEvent) => s.can(e),
    serializeState: (s: Snap) => JSON.stringify([s.value, s.context.users, s.context.frames]), stopWhen: big,
  });
  return new Set(paths.flatMap((p) => Object.entries(p.state.value as Record<string, string>).map(([r, v]) => `${r}.${v}`)));
}

function stepper(input: PpInput = base) {
  const scope = createSpecScope(pageProtectionMachine, input);
  let snap = pageProtectionMachine.getInitialSnapshot(scope, input) as Snap;
  return {
    get snap() { return snap; },
    try: (e: PpEvent) => pageProtectionMachine.transition(snap, e, scope) as Snap,
    accept(...evs: PpEvent[]) {
      for (const e of evs) {
        const next = pageProtectionMachine.transition(snap, e, scope) as Snap;
        if (next === snap) throw new Error(`setup event refused: ${JSON.stringify(e)}`);
        snap = next;
      }
      return this;
    },
  };
}

describe('reachability (xstate/graph)', () => {
  test('every mode and every access state (no access / granted by a count / temporarily unprotected) is reachable', () => {
    const all = new Set<string>();
    for (const mode of ['STRICT', 'RELAXED', 'SILENT', 'OFF'] as Mode[]) for (const v of reached({ ...base, mode })) all.add(v);
    const expected = [
      ...Object.keys(pageProtectionMachine.root.states.mode!.states).filter((s) => s !== 'boot').map((s) => `mode.${s}`),
      ...Object.keys(pageProtectionMachine.root.states.access!.states).map((s) => `access.${s}`),
    ];
    expect(expected).toHaveLength(7);
    for (const v of expected) expect(all).toContain(v);
  });

  test('the spec runner follows a graph path to the same state', () => {
    const r = new SpecRunner(pageProtectionMachine, base);
    for (const e of [events[0]!, events[4]!, events[6]!, events[5]!, events[1]!]) expect(r.send(e)).toBe(true);
    expect(r.snapshot.value).toEqual({ mode: 'relaxed', access: 'temporary' });
  });
});

test('a runtime write of the mode parameter moves the mode region to what the string means', () => {
  const s = stepper().accept({ type: 'PARAM', value: 'strict\n' });
  expect(s.snap.value).toMatchObject({ mode: 'strict' });
  s.accept({ type: 'PARAM', value: 'bogus' });
  expect(s.snap.value).toMatchObject({ mode: 'strict' });
  s.accept({ type: 'PARAM', value: 'relaxed' });
  expect(s.snap.value).toMatchObject({ mode: 'relaxed' });
  s.accept({ type: 'PARAM', value: 'off' }); // boot-time only: no change
  expect(s.snap.context.mode).toBe('RELAXED');
});

describe('what the spec refuses', () => {
  const irq: PpEvent = { type: 'IRQ_ENTER', task: T, unit: 1, irqentry: true };
  const exit: PpEvent = { type: 'IRQ_EXIT', task: T, unit: 1, irqentry: true };
  const set = (open: boolean): PpEvent => ({ type: 'PKS_SET', task: T, key: 2, open });
  const write = (page: number, via: 'map' | 'stray', ok: boolean): PpEvent => ({ type: 'WRITE', task: T, cpu: 0, page, via, ok });
  const cases: { name: string; input?: Partial<PpInput>; before: PpEvent[]; refused: PpEvent; legal: PpEvent }[] = [
    { name: 'a stray write that succeeds without a grant', before: [], refused: write(0, 'stray', true), legal: write(0, 'stray', false) },
    { name: 'a write through a given mapping that dies', before: [events[0]!], refused: write(0, 'map', false), legal: write(0, 'map', true) },
    { name: 'a stray write that dies while the context holds the key by kmap_local', before: [events[2]!], refused: write(0, 'stray', false), legal: write(0, 'stray', true) },
    { name: 'an interrupt returning with its kmap_local held (A-INV5)', before: [irq, events[2]!], refused: exit, legal: events[3]! },
    { name: 'a forgiven fault in STRICT', input: { mode: 'STRICT' }, before: [events[0]!, irq], refused: events[6]!, legal: exit },
    { name: 'an interrupt returning with its pks_set_readwrite() grant held (A-INV5)', before: [irq, set(true)], refused: exit, legal: set(false) },
    { name: 'an irqentry exit of a context that is not the innermost', before: [irq], refused: { ...exit, unit: 2 } as PpEvent, legal: exit },
    { name: 'a stray write to the second key without its direct grant', before: [], refused: write(3, 'stray', true), legal: set(true) },
    { name: 'a V-TGLX forgiveness on a page nobody kmapped (A-INV6)', before: [irq], refused: events[6]!, legal: exit },
    { name: 'kunmap_local of what the interrupted context mapped', before: [events[2]!, irq], refused: events[3]!, legal: exit },
    { name: 'kunmap without kmap', before: [], refused: events[1]!, legal: events[0]! },
  ];

  test.each(cases)('$name', ({ input, before, refused, legal }) => {
    const s = stepper({ ...base, ...input }).accept(...before);
    expect(s.try(refused)).toBe(s.snap);
    expect(s.try(legal)).not.toBe(s.snap);
  });

  test('a temporary unprotect covers the faulting context until it is switched out', () => {
    const s = stepper().accept(events[0]!, irq, events[6]!, exit, events[1]!);
    expect(s.try(write(0, 'stray', true))).not.toBe(s.snap); // the extended window
    s.accept(write(0, 'stray', true));
    expect(s.snap.context.info.at(-1)).toMatch(/^extended-window: write to p0/);
    s.accept({ type: 'SCHED_OUT', task: T });
    expect(s.try(write(0, 'stray', true))).toBe(s.snap);
  });

  test('V-GLOBAL: after the last kunmap another CPU may keep the key until its next switch; the restricting task\'s CPU denies it at once', () => {
    const s = stepper({ ...base, mode: 'STRICT', forgive: 'never', weakening: 'time-slice' }).accept(events[0]!, events[1]!);
    const other: PpEvent = { type: 'WRITE', task: T + 1, cpu: 1, page: 0, via: 'stray', ok: true };
    expect(s.try(other)).not.toBe(s.snap);
    expect(s.try(write(0, 'stray', true))).toBe(s.snap); // pks_mk_noaccess() wrote the restricting CPU's PKRS
    s.accept({ type: 'SCHED_IN', cpu: 1 });
    expect(s.try(other)).toBe(s.snap);
  });

  test('V-GLOBAL: a later restrict by another task gives the first one\'s CPU the grace again', () => {
    const s = stepper({ ...base, mode: 'STRICT', forgive: 'never', weakening: 'time-slice' }).accept(events[0]!, events[1]!);
    s.accept({ type: 'KMAP', task: T + 1, page: 0, atomic: false }, { type: 'KUNMAP', task: T + 1, page: 0 });
    expect(s.try(write(0, 'stray', true))).not.toBe(s.snap);
    s.accept({ type: 'SCHED_OUT', task: T });
    expect(s.snap.context.restricted[T]).toEqual([]);
  });
});

describe('contexts as the engine reports them', () => {
  const enter = (unit: number, irqentry: boolean): PpEvent => ({ type: 'IRQ_ENTER', task: T, unit, irqentry });
  const leave = (unit: number, irqentry: boolean): PpEvent => ({ type: 'IRQ_EXIT', task: T, unit, irqentry });
  const depth = (s: { snap: Snap }) => s.snap.context.frames[T]!.length;

  test('an irqentry softirq reported by its hook and then by its program is one context, popped by the hook', () => {
    const s = stepper().accept(enter(3, true), enter(3, false));
    expect(depth(s)).toBe(2);
    s.accept(leave(3, false));
    expect(depth(s)).toBe(2); // the program ended; the irqentry exit has not run yet
    s.accept(leave(3, true));
    expect(depth(s)).toBe(1);
  });

  test('a softirq run from local_bh_enable() (no hook) is a context of its own, popped by its program', () => {
    const s = stepper().accept(events[2]!, enter(3, false));
    expect(s.snap.context.frames[T]!.at(-1)).toMatchObject({ bh: true, locals: [] });
    // the task's kmap_local grant is not the softirq's
    const stray = { type: 'WRITE', task: T, cpu: 0, page: 0, via: 'stray', ok: true } as PpEvent;
    expect(s.try(stray)).toBe(s.snap);
    s.accept(leave(3, false));
    expect(s.try(stray)).not.toBe(s.snap);
  });

  test('V10 RELAXED (sticky-override): the override survives a switch and ends with the thread\'s last own grant of the key', () => {
    const stray = { type: 'WRITE', task: T, cpu: 0, page: 0, via: 'stray', ok: true } as PpEvent;
    const s = stepper({ ...base, forgive: 'any', weakening: 'sticky-override' })
      .accept(enter(0, true), events[6]!, leave(0, true), { type: 'SCHED_OUT', task: T });
    expect(s.try(stray)).not.toBe(s.snap);
    s.accept(events[2]!, { type: 'KUNMAP_LOCAL', task: T, page: 1, atomic: false });
    expect(s.try(stray)).toBe(s.snap);
  });

  test('a #PF that forgave its fault may run its return with the faulting context\'s grants', () => {
    const other = { type: 'WRITE', task: T, cpu: 0, page: 3, via: 'stray', ok: true } as PpEvent;
    const s = stepper({ ...base, forgive: 'any' }).accept({ type: 'PKS_SET', task: T, key: 2, open: true }, enter(0, true));
    expect(s.try(other)).toBe(s.snap); // a #PF does not inherit the thread's direct grant
    s.accept(events[6]!);
    expect(s.try(other)).not.toBe(s.snap);
  });
});
