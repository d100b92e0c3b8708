/**
 * Specification of text poking as its callers see it (text-poke.md D.3), independent of the
 * design: what kernel text holds (D-INV7: after a poke returns, its bytes are there), which pokes
 * are open, and which unmappings of user memory are still being flushed (the only time a stale
 * translation may legitimately be used). The caller reports each poke and each unmapping when it
 * begins and when it returns; a return without a begin is refused.
 * Per-instance state lives in context maps; the two regions summarise it for reachability:
 *  - pokes: quiet / poking (one open) / concurrent (more than one open: only callers that skip
 *    text_mutex get there, and the invariants say what that breaks);
 *  - unmaps: none / inFlight.
 */
import { assign, setup } from 'xstate';

export type TextPokeEvent =
  | { type: 'POKE_BEGIN'; task: number; pfns: number[]; value: number }
  | { type: 'POKE_END'; task: number }
  | { type: 'UNMAP_BEGIN'; task: number; mm: number; va: number }
  | { type: 'UNMAP_END'; task: number };

export interface OpenPoke { pfns: number[]; value: number }

export interface TextPokeSpecContext {
  /** text frame -> the contents the completed pokes left there */
  text: Record<number, number>;
  /** task -> its open poke */
  pokes: Record<number, OpenPoke>;
  /** task -> the user mapping it is tearing down (PTE cleared, flush not yet returned) */
  unmaps: Record<number, { mm: number; va: number }>;
}

const openPokes = (c: TextPokeSpecContext) => Object.keys(c.pokes).length;
const openUnmaps = (c: TextPokeSpecContext) => Object.keys(c.unmaps).length;

export const textPokeMachine = setup({
  types: { context: {} as TextPokeSpecContext, events: {} as TextPokeEvent, input: {} as { text: Record<number, number> } },
  guards: {
    noOpenPoke: ({ context: c, event: e }) => e.type === 'POKE_BEGIN' && c.pokes[e.task] === undefined,
    hasOpenPoke: ({ context: c, event: e }) => e.type === 'POKE_END' && c.pokes[e.task] !== undefined,
    noOpenUnmap: ({ context: c, event: e }) => e.type === 'UNMAP_BEGIN' && c.unmaps[e.task] === undefined,
    hasOpenUnmap: ({ context: c, event: e }) => e.type === 'UNMAP_END' && c.unmaps[e.task] !== undefined,
  },
  actions: {
    begin: assign(({ context: c, event: e }) => (e.type !== 'POKE_BEGIN' ? {} : { pokes: { ...c.pokes, [e.task]: { pfns: e.pfns, value: e.value } } })),
    end: assign(({ context: c, event: e }) => {
      if (e.type !== 'POKE_END') return {};
      const p = c.pokes[e.task]!;
      const pokes = { ...c.pokes };
      delete pokes[e.task];
      const text = { ...c.text };
      for (const pfn of p.pfns) text[pfn] = p.value;
      return { pokes, text };
    }),
    unmap: assign(({ context: c, event: e }) => (e.type !== 'UNMAP_BEGIN' ? {} : { unmaps: { ...c.unmaps, [e.task]: { mm: e.mm, va: e.va } } })),
    unmapped: assign(({ context: c, event: e }) => {
      if (e.type !== 'UNMAP_END') return {};
      const unmaps = { ...c.unmaps };
      delete unmaps[e.task];
      return { unmaps };
    }),
  },
}).createMachine({
  id: 'text-poke',
  type: 'parallel',
  context: ({ input }) => ({ text: { ...input.text }, pokes: {}, unmaps: {} }),
  on: {
    POKE_BEGIN: { guard: 'noOpenPoke', actions: 'begin' },
    POKE_END: { guard: 'hasOpenPoke', actions: 'end' },
    UNMAP_BEGIN: { guard: 'noOpenUnmap', actions: 'unmap' },
    UNMAP_END: { guard: 'hasOpenUnmap', actions: 'unmapped' },
  },
  states: {
    pokes: {
      initial: 'quiet',
      states: {
        quiet: { always: [{ guard: ({ context }) => openPokes(context) > 1, target: 'concurrent' }, { guard: ({ context }) => openPokes(context) === 1, target: 'poking' }] },
        poking: { always: [{ guard: ({ context }) => openPokes(context) > 1, target: 'concurrent' }, { guard: ({ context }) => openPokes(context) === 0, target: 'quiet' }] },
        concurrent: { always: { guard: ({ context }) => openPokes(context) <= 1, target: 'poking' } },
      },
    },
    unmaps: {
      initial: 'none',
      states: {
        none: { always: { guard: ({ context }) => openUnmaps(context) > 0, target: 'inFlight' } },
        inFlight: { always: { guard: ({ context }) => openUnmaps(context) === 0, target: 'none' } },
      },
    },
  },
});
