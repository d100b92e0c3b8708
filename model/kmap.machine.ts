/**
 * Specification of the kmap family (mm/highmem.c, include/linux/highmem.h kdoc,
 * Documentation/mm/highmem.rst): what callers may do and what a mapping means, independent of
 * HIGHMEM or the slot layout. Two orthogonal facets as parallel regions:
 *  - pkmap: kmap()/kunmap() users per page (any context may kunmap what was kmapped);
 *  - local: the per-task kmap_local/kmap_atomic stack, strictly LIFO, balanced across interrupts,
 *    empty at fork, return to user and exit.
 * Per-task and per-page state lives in context maps keyed by id (regions per instance cost 10x).
 */
import { assign, setup } from 'xstate';

/** a live kmap_local/kmap_atomic mapping: the address it returned says what backs it (fixmap slot, pkmap pin, linear map) */
export interface LocalMap { page: number; cpu: number; atomic: boolean; vaddr: number }

export interface KmapSpecContext {
  /** kmap() users per page */
  users: number[];
  /** live kmap_local/kmap_atomic mappings per task, bottom first */
  stacks: Record<number, LocalMap[]>;
  /** per task: stack depth at each interrupt entry still open, innermost last */
  irqDepth: Record<number, number[]>;
}

export type KmapEvent =
  | { type: 'KMAP'; task: number; page: number; atomic: boolean }
  | { type: 'KUNMAP'; task: number; page: number }
  | { type: 'KMAP_LOCAL'; task: number; page: number; cpu: number; atomic: boolean; vaddr: number }
  | { type: 'KUNMAP_LOCAL'; task: number; page: number; atomic: boolean }
  | { type: 'IRQ_ENTER'; task: number }
  | { type: 'IRQ_EXIT'; task: number }
  | { type: 'FORK'; parent: number; child: number }
  | { type: 'RETURN_TO_USER'; task: number }
  | { type: 'EXIT'; task: number };

const stackOf = (c: KmapSpecContext, task: number) => c.stacks[task] ?? [];
const anyLocal = (c: KmapSpecContext) => Object.values(c.stacks).some((s) => s.length > 0);
const anyUser = (c: KmapSpecContext) => c.users.some((n) => n > 0);

export const kmapMachine = setup({
  types: {
    context: {} as KmapSpecContext,
    events: {} as KmapEvent,
    input: {} as { pages: number },
  },
  guards: {
    // highmem.rst: kmap() may sleep, so it is never called from atomic context (B-INV7)
    kmapAllowed: ({ event }) => event.type === 'KMAP' && !event.atomic,
    hasUser: ({ context, event }) => event.type === 'KUNMAP' && (context.users[event.page] ?? 0) > 0,
    lastUser: ({ context, event }) =>
      event.type === 'KUNMAP' && context.users[event.page] === 1 && context.users.filter((n) => n > 0).length === 1,
    // kdoc: "Unmapping addr1 before addr2 is invalid" - only the top mapping may go (B-INV1)
    isTop: ({ context, event }) => {
      if (event.type !== 'KUNMAP_LOCAL') return false;
      const s = stackOf(context, event.task);
      const top = s[s.length - 1];
      return top !== undefined && top.page === event.page && top.atomic === event.atomic;
    },
    // an interrupt leaves current->kmap_ctrl as it found it (B-INV5)
    irqBalanced: ({ context, event }) => {
      if (event.type !== 'IRQ_EXIT') return false;
      const d = context.irqDepth[event.task] ?? [];
      return d.length > 0 && d[d.length - 1] === stackOf(context, event.task).length;
    },
    // kmap_local_fork() and kmap_assert_nomap(): no local mapping crosses fork, user mode or exit (B-INV2)
    parentEmpty: ({ context, event }) => event.type === 'FORK' && stackOf(context, event.parent).length === 0,
    taskEmpty: ({ context, event }) =>
      (event.type === 'RETURN_TO_USER' || event.type === 'EXIT') && stackOf(context, event.task).length === 0,
  },
  actions: {
    addUser: assign(({ context, event }) => {
      if (event.type !== 'KMAP' && event.type !== 'KUNMAP') return {};
      const users = context.users.slice();
      users[event.page] = (users[event.page] ?? 0) + (event.type === 'KMAP' ? 1 : -1);
      return { users };
    }),
    push: assign(({ context, event }) => {
      if (event.type !== 'KMAP_LOCAL') return {};
      const entry: LocalMap = { page: event.page, cpu: event.cpu, atomic: event.atomic, vaddr: event.vaddr };
      return { stacks: { ...context.stacks, [event.task]: [...stackOf(context, event.task), entry] } };
    }),
    pop: assign(({ context, event }) => {
      if (event.type !== 'KUNMAP_LOCAL') return {};
      return { stacks: { ...context.stacks, [event.task]: stackOf(context, event.task).slice(0, -1) } };
    }),
    enterIrq: assign(({ context, event }) => {
      if (event.type !== 'IRQ_ENTER') return {};
      const d = [...(context.irqDepth[event.task] ?? []), stackOf(context, event.task).length];
      return { irqDepth: { ...context.irqDepth, [event.task]: d } };
    }),
    exitIrq: assign(({ context, event }) => {
      if (event.type !== 'IRQ_EXIT') return {};
      return { irqDepth: { ...context.irqDepth, [event.task]: (context.irqDepth[event.task] ?? []).slice(0, -1) } };
    }),
    newTask: assign(({ context, event }) => {
      if (event.type !== 'FORK') return {};
      return { stacks: { ...context.stacks, [event.child]: [] } };
    }),
    touch: assign(({ context }) => ({ stacks: { ...context.stacks } })),
  },
}).createMachine({
  id: 'kmap',
  type: 'parallel',
  context: ({ input }) => ({ users: Array.from({ length: input.pages }, () => 0), stacks: {}, irqDepth: {} }),
  on: {
    IRQ_ENTER: { actions: 'enterIrq' },
    IRQ_EXIT: { guard: 'irqBalanced', actions: 'exitIrq' },
    FORK: { guard: 'parentEmpty', actions: 'newTask' },
    RETURN_TO_USER: { guard: 'taskEmpty', actions: 'touch' },
    EXIT: { guard: 'taskEmpty', actions: 'touch' },
  },
  states: {
    pkmap: {
      initial: 'unused',
      states: {
        unused: { on: { KMAP: { guard: 'kmapAllowed', target: 'inUse', actions: 'addUser' } } },
        inUse: {
          on: {
            KMAP: { guard: 'kmapAllowed', actions: 'addUser' },
            KUNMAP: [
              { guard: 'lastUser', target: 'unused', actions: 'addUser' },
              { guard: 'hasUser', actions: 'addUser' },
            ],
          },
        },
      },
    },
    local: {
      initial: 'empty',
      states: {
        empty: { on: { KMAP_LOCAL: { target: 'nested', actions: 'push' } } },
        nested: {
          on: {
            KMAP_LOCAL: { actions: 'push' },
            KUNMAP_LOCAL: { guard: 'isTop', actions: 'pop' },
          },
          always: { guard: ({ context }) => !anyLocal(context), target: 'empty' },
        },
      },
    },
  },
});

export { anyLocal, anyUser };
