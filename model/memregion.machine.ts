/**
 * Specification of device-memory cache management (memregion.md E.3, independent of the design):
 * what may happen to a region while it is accessible, and who may use the DEVMEM interface.
 *  - regions (an NVDIMM region, the nd_region of a CXL pmem region) are disabled or active; a
 *    media-changing event (unlock, secure erase, overwrite, an HDM decode change) never happens
 *    to a device an active region maps, and no region activates while an overwrite of one of its
 *    devices is in flight (E-INV6);
 *  - only DEVMEM importers (NVDIMM, CXL) link against cpu_cache_invalidate_memregion() and
 *    cpu_cache_has_invalidate_memregion() (E-INV4: a link-time allow-list).
 * The coherence properties themselves (E-INV1, E-INV2, E-INV3, E-INV5) are checks on the
 * hardware state in properties/memregion-invariants.ts.
 */
import { assign, setup } from 'xstate';

/** the modules expected to import the DEVMEM namespace (Dan Williams v5 changelog) */
export const DEVMEM_IMPORTERS: readonly string[] = ['nfit', 'libnvdimm', 'cxl_core'];

export type MemregionEvent =
  | { type: 'LINK'; module: string; symbol: string }
  | { type: 'ACTIVATE'; region: string; devs: string[] }
  | { type: 'DEACTIVATE'; region: string }
  /** a media-changing event starts (an erase, unlock or decode change also completes at once) */
  | { type: 'MEDIA'; dev: string; what: 'unlock' | 'erase' | 'overwrite' | 'decode' }
  /** an overwrite completes */
  | { type: 'MEDIA_DONE'; dev: string };

export interface MemregionSpecContext {
  /** active regions and the devices they map */
  active: Record<string, string[]>;
  /** devices with an overwrite in flight */
  inflight: Record<string, true>;
  /** modules linked against the DEVMEM symbols at run time */
  linked: string[];
}

const mapped = (c: MemregionSpecContext, dev: string) => Object.values(c.active).some((devs) => devs.includes(dev));
const busy = (c: MemregionSpecContext) => Object.keys(c.inflight).length > 0;

export const memregionMachine = setup({
  types: {
    context: {} as MemregionSpecContext,
    events: {} as MemregionEvent,
    input: {} as { active: Record<string, string[]> },
  },
  guards: {
    // E-INV4: a link-time property, checked when the loader resolves a DEVMEM symbol
    importer: ({ event: e }) => e.type === 'LINK' && DEVMEM_IMPORTERS.includes(e.module),
    // E-INV6: no region activates over a device whose overwrite is still running
    settled: ({ context: c, event: e }) => e.type === 'ACTIVATE' && !c.active[e.region] && !e.devs.some((d) => c.inflight[d]),
    isActive: ({ context: c, event: e }) => e.type === 'DEACTIVATE' && c.active[e.region] !== undefined,
    // E-INV6: the media does not change under an accessible region (nvdimm->busy, decode teardown after release)
    unmapped: ({ context: c, event: e }) => e.type === 'MEDIA' && !mapped(c, e.dev) && !c.inflight[e.dev],
    inFlight: ({ context: c, event: e }) => e.type === 'MEDIA_DONE' && c.inflight[e.dev] === true,
  },
  actions: {
    link: assign(({ context: c, event: e }) => (e.type !== 'LINK' ? {} : { linked: [...c.linked, e.module] })),
    activate: assign(({ context: c, event: e }) => (e.type !== 'ACTIVATE' ? {} : { active: { ...c.active, [e.region]: e.devs } })),
    deactivate: assign(({ context: c, event: e }) => {
      if (e.type !== 'DEACTIVATE') return {};
      const active = { ...c.active };
      delete active[e.region];
      return { active };
    }),
    start: assign(({ context: c, event: e }) => (e.type !== 'MEDIA' || e.what !== 'overwrite' ? { inflight: { ...c.inflight } } : { inflight: { ...c.inflight, [e.dev]: true as const } })),
    done: assign(({ context: c, event: e }) => {
      if (e.type !== 'MEDIA_DONE') return {};
      const inflight = { ...c.inflight };
      delete inflight[e.dev];
      return { inflight };
    }),
  },
}).createMachine({
  id: 'memregion',
  type: 'parallel',
  context: ({ input }) => ({ active: { ...input.active }, inflight: {}, linked: [] }),
  on: {
    LINK: { guard: 'importer', actions: 'link' },
    ACTIVATE: { guard: 'settled', actions: 'activate' },
    DEACTIVATE: { guard: 'isActive', actions: 'deactivate' },
    MEDIA: { guard: 'unmapped', actions: 'start' },
    MEDIA_DONE: { guard: 'inFlight', actions: 'done' },
  },
  states: {
    regions: {
      initial: 'unmapped',
      states: {
        unmapped: { always: { guard: ({ context }) => Object.keys(context.active).length > 0, target: 'mapped' } },
        mapped: { always: { guard: ({ context }) => Object.keys(context.active).length === 0, target: 'unmapped' } },
      },
    },
    media: {
      initial: 'quiet',
      states: {
        quiet: { always: { guard: ({ context }) => busy(context), target: 'overwriting' } },
        overwriting: { always: { guard: ({ context }) => !busy(context), target: 'quiet' } },
      },
    },
  },
});
