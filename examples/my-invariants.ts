/**
 * Extra invariants for the kmap protocol, written as a user of kcheck would:
 *
 *   npx kcheck run kmap --invariants examples/my-invariants.ts --param local-depth=3
 *
 * Every named export is an invariant; names start with the protocol they apply to. An invariant
 * gets the World (the kernel model's state under `w.k`) and the spec snapshot after every step,
 * and returns a message when it is violated.
 */
import { defineInvariant, type World } from 'kcheck';

/** The part of the kmap model's state these invariants read (src/kernel/mm/kmap-types.ts). */
interface KmapView {
  cfg: { HIGHMEM: boolean; DEBUG_KMAP_LOCAL_FORCE_MAP: boolean };
  KM_INCR: number;
  /** PageHighMem() per page, before CONFIG_HIGHMEM applies */
  highmem: boolean[];
  /** fixmap PTEs, KM_MAX_IDX slots per CPU */
  kmap_pte: number[];
  kmap_ctrl: Record<number, { idx: number }>;
}

// the model's PTE encoding (src/kernel/mm/pgtable.ts): bit 0 present, page number + 1 above bit 4
const present = (pte: number) => (pte & 1) === 1;
const pageOf = (pte: number) => (pte >> 4) - 1;

/**
 * Our callers never nest local mappings deeper than 12 per task, well below the kernel's 16.
 * The built-in workloads go up to the stack the kernel documents (`local-depth` up to 16); ours
 * nest at most 3 sections, so we check with `--param local-depth=3`: the task's sections and a
 * copy, plus the interrupt handlers that nest on top of them, stay below 12.
 */
export const localDepth = defineInvariant<KmapView>({
  name: 'kmap/local-depth-at-most-12',
  description: 'no task holds more than 12 kmap_local/kmap_atomic mappings at once',
  check(w: World<KmapView>) {
    for (const t of w.tasks) {
      const depth = (w.k.kmap_ctrl[t.id]?.idx ?? 0) / w.k.KM_INCR;
      if (depth > 12) return `${t.name} holds ${depth} local mappings`;
    }
  },
});

/** kmap_local maps only pages that need it: highmem pages, or any page with FORCE_MAP. */
export const fixmapHighmem = defineInvariant<KmapView>({
  name: 'kmap/fixmap-maps-highmem',
  description: 'every mapped kmap_local fixmap slot maps a highmem page (any page under DEBUG_KMAP_LOCAL_FORCE_MAP)',
  check(w: World<KmapView>) {
    const k = w.k;
    if (k.cfg.DEBUG_KMAP_LOCAL_FORCE_MAP) return;
    const slot = k.kmap_pte.findIndex((pte) => present(pte) && !(k.cfg.HIGHMEM && k.highmem[pageOf(pte)]));
    if (slot >= 0) return `fixmap slot ${slot} maps lowmem page p${pageOf(k.kmap_pte[slot]!)}`;
  },
});

// kcheck reads the default export when there is one (one invariant or a list)
export default [localDepth, fixmapHighmem];
