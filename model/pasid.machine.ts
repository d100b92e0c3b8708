/**
 * Specification of PASID allocation and propagation (pasid.md C.3, from the meaning of the
 * invariants, independent of the design): what the kernel may report at each linearization point.
 *  - per mm: no PASID / PASID P allocated / PASID freed (C-INV7: one PASID at a time, under the lock);
 *  - per thread: pasid_activated only 0 → 1 and only for its mm's valid PASID (C-INV3); a new
 *    task never starts activated (C-INV5); a submission carries its own mm's bound PASID (C-INV1);
 *  - device bindings: unbind tears down exactly what bind programmed, and an mm is not freed while
 *    a device still has it (C-INV2).
 * Per-instance state lives in context maps; the three regions summarise it for reachability.
 */
import { assign, setup } from 'xstate';

export const NO_PASID = -1;

export type PasidEvent =
  | { type: 'ALLOC'; mm: number; pasid: number }
  | { type: 'FREE'; mm: number; pasid: number }
  | { type: 'BIND'; dev: number; mm: number; pasid: number }
  | { type: 'UNBIND'; dev: number; mm: number; pasid: number }
  | { type: 'ACTIVATE'; task: number; mm: number; pasid: number }
  | { type: 'SUBMIT'; task: number; mm: number; pasid: number }
  | { type: 'FORK' | 'CLONE'; parent: number; child: number; mm: number; activated: boolean }
  | { type: 'EXEC'; task: number; mm: number; activated: boolean }
  | { type: 'EXIT'; task: number }
  | { type: 'MM_FREE'; mm: number };

export interface PasidSpecContext {
  /** mm -> its PASID (NO_PASID when none) */
  mmPasid: Record<number, number>;
  /** PASID -> the mm it is allocated to */
  owner: Record<number, number>;
  /** "dev:mm:pasid" -> live binds */
  bindings: Record<string, number>;
  /** tasks that have pasid_activated set */
  activated: Record<number, true>;
  /** tasks that submitted a descriptor */
  submitted: Record<number, true>;
}

const key = (dev: number, mm: number, pasid: number) => `${dev}:${mm}:${pasid}`;
const pasidOf = (c: PasidSpecContext, mm: number) => c.mmPasid[mm] ?? NO_PASID;
const boundAnywhere = (c: PasidSpecContext, mm: number, pasid: number) =>
  Object.entries(c.bindings).some(([k, n]) => n > 0 && k.endsWith(`:${mm}:${pasid}`));
const anyBinding = (c: PasidSpecContext) => Object.values(c.bindings).some((n) => n > 0);
const anyOwner = (c: PasidSpecContext) => Object.keys(c.owner).length > 0;

export const pasidMachine = setup({
  types: { context: {} as PasidSpecContext, events: {} as PasidEvent },
  guards: {
    canAlloc: ({ context: c, event: e }) => e.type === 'ALLOC' && pasidOf(c, e.mm) === NO_PASID && c.owner[e.pasid] === undefined,
    ownsPasid: ({ context: c, event: e }) => e.type === 'FREE' && e.pasid !== NO_PASID && pasidOf(c, e.mm) === e.pasid,
    bindsOwnPasid: ({ context: c, event: e }) => e.type === 'BIND' && e.pasid !== NO_PASID && pasidOf(c, e.mm) === e.pasid,
    unbindsBound: ({ context: c, event: e }) => e.type === 'UNBIND' && (c.bindings[key(e.dev, e.mm, e.pasid)] ?? 0) > 0,
    firstActivation: ({ context: c, event: e }) =>
      e.type === 'ACTIVATE' && !c.activated[e.task] && e.pasid !== NO_PASID && pasidOf(c, e.mm) === e.pasid,
    taggedOwnBound: ({ context: c, event: e }) =>
      e.type === 'SUBMIT' && e.pasid !== NO_PASID && pasidOf(c, e.mm) === e.pasid && boundAnywhere(c, e.mm, e.pasid),
    freshTask: ({ event: e }) => (e.type === 'FORK' || e.type === 'CLONE' || e.type === 'EXEC') && !e.activated,
    noDeviceUses: ({ context: c, event: e }) =>
      e.type === 'MM_FREE' && !Object.entries(c.bindings).some(([k, n]) => n > 0 && k.split(':')[1] === String(e.mm)),
  },
  actions: {
    alloc: assign(({ context: c, event: e }) => (e.type !== 'ALLOC' ? {} : {
      mmPasid: { ...c.mmPasid, [e.mm]: e.pasid }, owner: { ...c.owner, [e.pasid]: e.mm },
    })),
    free: assign(({ context: c, event: e }) => {
      if (e.type !== 'FREE') return {};
      const owner = { ...c.owner };
      delete owner[e.pasid];
      return { mmPasid: { ...c.mmPasid, [e.mm]: NO_PASID }, owner };
    }),
    bind: assign(({ context: c, event: e }) => {
      if (e.type !== 'BIND' && e.type !== 'UNBIND') return {};
      const k = key(e.dev, e.mm, e.pasid);
      return { bindings: { ...c.bindings, [k]: (c.bindings[k] ?? 0) + (e.type === 'BIND' ? 1 : -1) } };
    }),
    activate: assign(({ context: c, event: e }) => (e.type !== 'ACTIVATE' ? {} : { activated: { ...c.activated, [e.task]: true as const } })),
    submit: assign(({ context: c, event: e }) => (e.type !== 'SUBMIT' ? {} : { submitted: { ...c.submitted, [e.task]: true as const } })),
    forget: assign(({ context: c, event: e }) => {
      const task = e.type === 'EXIT' || e.type === 'EXEC' ? e.task : e.type === 'FORK' || e.type === 'CLONE' ? e.child : -1;
      const activated = { ...c.activated };
      delete activated[task];
      return { activated };
    }),
  },
}).createMachine({
  id: 'pasid',
  type: 'parallel',
  context: { mmPasid: {}, owner: {}, bindings: {}, activated: {}, submitted: {} },
  on: {
    ALLOC: { guard: 'canAlloc', actions: 'alloc' },
    FREE: { guard: 'ownsPasid', actions: 'free' },
    BIND: { guard: 'bindsOwnPasid', actions: 'bind' },
    UNBIND: { guard: 'unbindsBound', actions: 'bind' },
    ACTIVATE: { guard: 'firstActivation', actions: 'activate' },
    SUBMIT: { guard: 'taggedOwnBound', actions: 'submit' },
    FORK: { guard: 'freshTask', actions: 'forget' },
    CLONE: { guard: 'freshTask', actions: 'forget' },
    EXEC: { guard: 'freshTask', actions: 'forget' },
    EXIT: { actions: 'forget' },
    MM_FREE: { guard: 'noDeviceUses', actions: assign(({ context }) => ({ mmPasid: { ...context.mmPasid } })) },
  },
  states: {
    allocator: {
      initial: 'noPasid',
      states: {
        noPasid: { always: { guard: ({ context }) => anyOwner(context), target: 'allocated' } },
        allocated: { always: { guard: ({ context }) => !anyOwner(context), target: 'freed' } },
        freed: { always: { guard: ({ context }) => anyOwner(context), target: 'allocated' } },
      },
    },
    threads: {
      initial: 'msrInvalid',
      states: {
        msrInvalid: {
          always: [
            { guard: ({ context }) => Object.keys(context.activated).length > 0, target: 'activated' },
            { guard: ({ context }) => Object.keys(context.submitted).length > 0, target: 'validP' },
          ],
        },
        validP: { always: { guard: ({ context }) => Object.keys(context.activated).length > 0, target: 'activated' } },
        activated: {},
      },
    },
    devices: {
      initial: 'unbound',
      states: {
        unbound: { always: { guard: ({ context }) => anyBinding(context), target: 'bound' } },
        bound: { always: { guard: ({ context }) => !anyBinding(context), target: 'unbound' } },
      },
    },
  },
});
