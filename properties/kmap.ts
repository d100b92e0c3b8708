/**
 * The kmap protocol: the statechart, the kernel model of mm/highmem.c, the workloads (with their
 * parameters, swarm operation kinds and the enumeration for proofs), speculative TLB fills as
 * environment actions, and the invariants of kmap-invariants.ts.
 */
import { kmapMachine, type KmapEvent } from '../model/kmap.machine.js';
import { defineProtocol } from '../src/protocol.js';
import { kmapTask, runOps } from '../src/kernel/mm/kmap-callers.js';
import { __kmap_local_sched_in, __kmap_local_sched_out } from '../src/kernel/mm/highmem-local.js';
import { KM_MAX_IDX as kmMaxIdx, PageHighMem, type KmapState } from '../src/kernel/mm/kmap-types.js';
import { pkmapTranslations, pte_page, pte_present } from '../src/kernel/mm/pgtable.js';
import { speculativeFills } from '../src/sim/tlb.js';
import type { World } from '../src/sim/world.js';
import { enumerateKmap } from './kmap-enumerate.js';
import { describeOp } from './kmap-programs.js';
import { kmapInvariants } from './kmap-invariants.js';
import { shrinkKmapWorkload } from './kmap-shrink.js';
import { kmapVariants, type KmapVariantConfig } from './kmap-variants.js';
import { KMAP_OPERATIONS, KMAP_PARAMETERS, kmapWorkload, PAGES, type KmapWorkload } from './kmap-workload.js';

export { kmapInvariants } from './kmap-invariants.js';

const REFUSAL: Record<KmapEvent['type'], string> = {
  KMAP: 'kmap/B-INV7-atomic',
  KUNMAP: 'kmap/B-INV6-pkmap-counts',
  KMAP_LOCAL: 'kmap/B-INV2-bounds',
  KUNMAP_LOCAL: 'kmap/B-INV1-lifo',
  IRQ_ENTER: 'kmap/B-INV5-irq-balance',
  IRQ_EXIT: 'kmap/B-INV5-irq-balance',
  FORK: 'kmap/B-INV2-bounds',
  RETURN_TO_USER: 'kmap/B-INV2-bounds',
  EXIT: 'kmap/B-INV2-bounds',
};

function createState(v: KmapVariantConfig, wl: KmapWorkload, cpus: number): KmapState {
  const cfg = v.kernel;
  const KM_MAX_IDX = kmMaxIdx(cfg.DEBUG_KMAP_LOCAL);
  const empty = cfg.arch === 'xtensa' ? 2 : 0;
  return {
    cfg, KM_INCR: cfg.DEBUG_KMAP_LOCAL ? 2 : 1, KM_MAX_IDX, LAST_PKMAP: wl.pkmap,
    highmem: PAGES.slice(),
    data: PAGES.map((_, p) => (p + 1) * 1000),
    pkmap_count: Array.from({ length: wl.pkmap }, () => 0),
    pkmap_page_table: Array.from({ length: wl.pkmap }, () => empty),
    page_address: PAGES.map(() => 0),
    last_pkmap_nr: 0,
    kmap_pte: Array.from({ length: KM_MAX_IDX * cpus }, () => empty),
    tlb: Array.from({ length: cpus }, () => ({})),
    kmap_ctrl: {},
    lastAccess: null,
    flushReturn: null,
  };
}

const taskName = (i: number) => String.fromCharCode(65 + i);

export const kmapProtocol = defineProtocol({
  name: 'kmap',
  description: 'kmap()/kunmap() pkmap refcounts with IPI TLB flushes, and the kmap_local/kmap_atomic per-task stack',
  machine: kmapMachine,
  variants: kmapVariants,
  invariants: kmapInvariants,
  parameters: KMAP_PARAMETERS,
  operations: KMAP_OPERATIONS,
  workload: (o) => kmapWorkload(o),
  enumerate: (b) => enumerateKmap(b),
  setup(wl: KmapWorkload, variant, { cpus }) {
    return {
      k: createState(variant.config, wl, cpus),
      specInput: { pages: PAGES.length },
      tasks: wl.tasks.map((t, i) => ({ name: taskName(i), cpu: t.cpu, run: (x) => kmapTask(x, t.ops) })),
      irqs: wl.irqs.map((q, i) => ({ name: `irq${i}`, cpu: q.cpu, kind: q.kind, run: (x) => runOps(x, q.ops) })),
      hooks: {
        prepare_task_switch: __kmap_local_sched_out,
        finish_task_switch: __kmap_local_sched_in,
        irq_enter: (x) => x.emit({ type: 'IRQ_ENTER', task: x.current().id }),
        irq_exit: (x) => x.emit({ type: 'IRQ_EXIT', task: x.current().id }),
      },
    };
  },
  refusal: (e: KmapEvent) => REFUSAL[e.type],
  shrinkWorkload: shrinkKmapWorkload,
  /** the hardware may cache any present pkmap PTE on any CPU at any time */
  environment(w: World<KmapState>) {
    if (!w.k.cfg.HIGHMEM) return [];
    return speculativeFills(w, (v: World<KmapState>) => v.k.tlb, pkmapTranslations(w.k, w.cpus.length), (t) => `0x${t.va.toString(16)} → p${t.entry.pfn}`);
  },
  /** the interrupted (or running) task's kmap_ctrl.idx, for B-INV5 */
  contextState: (w: World<KmapState>, cpu: number) => w.k.kmap_ctrl[w.cpus[cpu]!.curr]?.idx ?? 0,
  observe(w: World<KmapState>) {
    const k = w.k;
    const o: Record<string, string | number> = {};
    k.pkmap_count.forEach((n, i) => { o[`pkmap_count[${i}]`] = n; });
    k.page_address.forEach((v, p) => { if (PageHighMem(k, p)) o[`page_address(p${p})`] = v ? `0x${v.toString(16)}` : 'NULL'; });
    k.kmap_pte.forEach((pte, s) => { o[`fixmap[${s}]`] = pte_present(pte) ? `p${pte_page(pte)}` : '-'; });
    k.tlb.forEach((tlb, c) => { o[`cpu${c}.tlb`] = Object.entries(tlb).map(([key, e]) => `0x${Number(key.split(':')[1]).toString(16)}:p${e.pfn}`).join(' ') || '-'; });
    for (const t of w.tasks) {
      o[`${t.name}.kmap_ctrl.idx`] = k.kmap_ctrl[t.id]?.idx ?? 0;
      if (!t.idle) o[`${t.name}.preempt/pf/migrate`] = `${t.preempt_count}/${t.pagefault_disabled}/${t.migrate_disable}`;
    }
    return o;
  },
  describe: (wl: KmapWorkload) => [
    `LAST_PKMAP = ${wl.pkmap}`,
    ...wl.tasks.map((t, i) => `task ${taskName(i)} (cpu${t.cpu}): ${t.ops.map(describeOp).join('; ')}`),
    ...wl.irqs.map((q, i) => `${q.kind} irq${i} (cpu${q.cpu}): ${q.ops.map(describeOp).join('; ')}`),
  ],
});
