/**
 * The kmap protocol: invariants B-INV1..B-INV7 stated from their meaning, an observable data
 * check, and the protocol definition tying the statechart, the kernel model and the workloads.
 */
import type { SnapshotFrom } from 'xstate';
import { kmapMachine, type KmapEvent, type KmapSpecContext, type LocalMap } from '../model/kmap.machine.js';
import { defineInvariant, defineProtocol, type Invariant } from '../src/protocol.js';
import { describeOp, kmapTask, runOps } from '../src/kernel/mm/kmap-callers.js';
import { __kmap_local_sched_in, __kmap_local_sched_out } from '../src/kernel/mm/highmem-local.js';
import { ctrl, KM_MAX_IDX as kmMaxIdx, kmapLocalMaps, PageHighMem, type KmapState } from '../src/kernel/mm/kmap-types.js';
import { PKMAP_ADDR, pte_page, pte_present } from '../src/kernel/mm/pgtable.js';
import type { World } from '../src/sim/world.js';
import { shrinkKmapWorkload } from './kmap-shrink.js';
import { kmapVariants, type KmapVariantConfig } from './kmap-variants.js';
import { kmapWorkload, PAGES, type KmapWorkload } from './kmap-workload.js';

type Spec = SnapshotFrom<typeof kmapMachine>;
type Inv = Invariant<KmapState, Spec>;

/** Live local mappings of a task that really occupy a fixmap slot. */
const liveMapped = (k: KmapState, c: KmapSpecContext, task: number): LocalMap[] =>
  (c.stacks[task] ?? []).filter((e) => kmapLocalMaps(k, e.page));

const name = (w: World<KmapState>, task: number) => w.tasks[task]?.name ?? `task ${task}`;

export const kmapInvariants: Inv[] = [
  defineInvariant<KmapState, Spec>({
    name: 'kmap/B-INV1-lifo',
    description: 'kmap_local/kmap_atomic mappings of a task are unmapped strictly in reverse order (enforced by the statechart: only the top may be unmapped)',
  }),
  defineInvariant<KmapState, Spec>({
    name: 'kmap/B-INV2-bounds',
    description: '0 <= kmap_ctrl.idx < KM_MAX_IDX, idx counts exactly the live local mappings (give or take one in flight), and no local mapping crosses fork, return to user or exit',
    check(w, spec) {
      const k = w.k;
      for (const t of w.tasks) {
        const c = k.kmap_ctrl[t.id];
        if (!c) continue;
        if (c.idx < 0 || c.idx >= k.KM_MAX_IDX) return `${t.name}: kmap_ctrl.idx = ${c.idx}, outside [0, KM_MAX_IDX = ${k.KM_MAX_IDX})`;
        const live = liveMapped(k, spec.context, t.id).length;
        if (Math.abs(c.idx / k.KM_INCR - live) > (k.inflight[t.id] ?? 0)) {
          return `${t.name}: kmap_ctrl.idx = ${c.idx} but it holds ${live} local mapping(s)`;
        }
      }
    },
  }),
  defineInvariant<KmapState, Spec>({
    name: 'kmap/B-INV3-slots',
    description: "outside a context switch, a CPU's kmap_local fixmap slots map exactly the live local mappings of the task running there, no more, no less",
    check(w, spec) {
      const k = w.k;
      for (const cpu of w.cpus) {
        if (cpu.ctx.some((c) => c.kind === 'sched')) continue;
        const want = liveMapped(k, spec.context, cpu.curr).map((e) => e.page).sort();
        const have: number[] = [];
        for (let i = 0; i < k.KM_MAX_IDX; i++) {
          const pte = k.kmap_pte[i + k.KM_MAX_IDX * cpu.id]!;
          if (pte_present(pte)) have.push(pte_page(pte));
        }
        have.sort();
        if (want.join() !== have.join()) {
          return `cpu${cpu.id} runs ${name(w, cpu.curr)} holding local mappings of [${want.map((p) => `p${p}`)}] but its fixmap slots map [${have.map((p) => `p${p}`)}]`;
        }
      }
    },
  }),
  defineInvariant<KmapState, Spec>({
    name: 'kmap/B-INV4-locality',
    description: 'a task holding a HIGHMEM local mapping has migration disabled and runs only on the CPU that made the mapping',
    check(w, spec) {
      for (const t of w.tasks) {
        const live = liveMapped(w.k, spec.context, t.id);
        if (live.length === 0) continue;
        if (t.migrate_disable === 0) return `${t.name} holds a local mapping of p${live[0]!.page} with migration enabled`;
        const on = w.cpus.find((c) => c.curr === t.id);
        const away = on && live.find((e) => e.cpu !== on.id);
        if (away) return `${t.name} runs on cpu${on.id} but mapped p${away.page} on cpu${away.cpu}`;
      }
    },
  }),
  defineInvariant<KmapState, Spec>({
    name: 'kmap/B-INV5-irq-balance',
    description: "every interrupt leaves the interrupted task's local stack as it found it (enforced by the statechart at irq exit)",
  }),
  defineInvariant<KmapState, Spec>({
    name: 'kmap/B-INV6-pkmap-counts',
    description: 'pkmap_count 0 = unmapped and in no TLB; 1 = mapped, unused; n >= 2 = n-1 kmap() users of the page it maps; page_address() agrees with the slots',
    check(w, spec) {
      const k = w.k;
      for (let i = 0; i < k.LAST_PKMAP; i++) {
        const n = k.pkmap_count[i]!;
        const pte = k.pkmap_page_table[i]!;
        const vaddr = PKMAP_ADDR(i);
        if (n === 0) {
          if (pte_present(pte)) return `pkmap slot ${i} has count 0 but still maps p${pte_page(pte)}`;
          const cached = k.tlb.findIndex((tlb) => tlb[vaddr] !== undefined);
          if (cached >= 0) return `pkmap slot ${i} has count 0 but cpu${cached}'s TLB still caches it (p${pte_page(k.tlb[cached]![vaddr]!)}): reusable without a flush`;
          continue;
        }
        if (!pte_present(pte)) return `pkmap slot ${i} has count ${n} but no PTE`;
        const p = pte_page(pte);
        if (k.page_address[p] !== vaddr) return `pkmap slot ${i} maps p${p} but page_address(p${p}) is ${k.page_address[p] || 'NULL'}`;
        const users = spec.context.users[p] ?? 0;
        if (n - 1 !== users) return `pkmap_count[${i}] = ${n} but p${p} has ${users} kmap() user(s)`;
      }
      for (let p = 0; p < k.highmem.length; p++) {
        if (!PageHighMem(k, p)) continue;
        if ((spec.context.users[p] ?? 0) > 0 && !k.page_address[p]) return `p${p} has kmap() users but page_address() is NULL`;
      }
    },
  }),
  defineInvariant<KmapState, Spec>({
    name: 'kmap/B-INV7-atomic',
    description: 'between kmap_atomic and kunmap_atomic page faults and preemption are disabled; kmap() is never called in atomic context',
    check(w, spec) {
      for (const t of w.tasks) {
        const atomic = (spec.context.stacks[t.id] ?? []).find((e) => e.atomic);
        if (atomic && (t.pagefault_disabled === 0 || t.preempt_count === 0)) {
          return `${t.name} holds kmap_atomic(p${atomic.page}) with ${t.pagefault_disabled === 0 ? 'page faults' : 'preemption'} enabled`;
        }
      }
    },
  }),
  defineInvariant<KmapState, Spec>({
    name: 'kmap/data',
    description: 'every read or write through a kmap address reaches the page that was mapped',
    check(w) {
      const a = w.k.lastAccess;
      if (a && a.reached !== a.page) {
        return `${a.who} ${a.write ? 'wrote' : 'read'} p${a.page} through 0x${a.vaddr.toString(16)} but reached ${a.reached === 'fault' ? 'no page (fault)' : `p${a.reached}`}`;
      }
    },
  }),
  defineInvariant<KmapState, Spec>({
    name: 'kmap/no-false-warning',
    description: 'kernel diagnostics (WARN_ON) never fire on an execution the protocol allows: a false alarm hides real ones',
    check(w) {
      if (w.warnings.length > 0) return `the kernel warned on a legal execution: ${w.warnings[0]}`;
    },
  }),
  defineInvariant<KmapState, Spec>({
    name: 'kmap/quiescent',
    description: 'when every task has exited: no local mapping left, no kmap() user, no fixmap slot mapped',
    final: true,
    check(w, spec) {
      const k = w.k;
      for (const t of w.tasks) if (ctrl(k, t.id).idx !== 0) return `${t.name} ended with kmap_ctrl.idx = ${ctrl(k, t.id).idx}`;
      const slot = k.kmap_pte.findIndex((pte) => pte_present(pte));
      if (slot >= 0) return `fixmap slot ${slot} still maps p${pte_page(k.kmap_pte[slot]!)}`;
      const busy = k.pkmap_count.findIndex((n) => n > 1);
      if (busy >= 0) return `pkmap_count[${busy}] = ${k.pkmap_count[busy]} with no user left`;
      if (spec.context.users.some((n: number) => n > 0)) return 'a kmap() was never undone';
    },
  }),
];

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
  const KM_INCR = cfg.DEBUG_KMAP_LOCAL ? 2 : 1;
  const KM_MAX_IDX = kmMaxIdx(cfg.DEBUG_KMAP_LOCAL);
  const LAST_PKMAP = v.shape.pkmapSlots ?? wl.tasks.length + 1;
  const empty = cfg.arch === 'xtensa' ? 2 : 0;
  return {
    cfg, KM_INCR, KM_MAX_IDX, LAST_PKMAP,
    highmem: PAGES.slice(),
    data: PAGES.map((_, p) => (p + 1) * 1000),
    pkmap_count: Array.from({ length: LAST_PKMAP }, () => 0),
    pkmap_page_table: Array.from({ length: LAST_PKMAP }, () => empty),
    page_address: PAGES.map(() => 0),
    last_pkmap_nr: 0,
    kmap_pte: Array.from({ length: KM_MAX_IDX * cpus }, () => empty),
    tlb: Array.from({ length: cpus }, () => ({})),
    kmap_ctrl: {},
    inflight: {},
    lastAccess: null,
  };
}

export const kmapProtocol = defineProtocol({
  name: 'kmap',
  description: 'kmap()/kunmap() pkmap refcounts with TLB flushes, and the kmap_local/kmap_atomic per-task stack',
  machine: kmapMachine,
  variants: kmapVariants,
  invariants: kmapInvariants,
  workload: ({ cpus, ops, variant }) => kmapWorkload(variant.config.shape, { cpus, ops }),
  setup(wl: KmapWorkload, variant, { cpus }) {
    return {
      k: createState(variant.config, wl, cpus),
      specInput: { pages: PAGES.length },
      tasks: wl.tasks.map((t, i) => ({ name: String.fromCharCode(65 + i), cpu: t.cpu, run: (x) => kmapTask(x, t.ops) })),
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
  observe(w: World<KmapState>) {
    const k = w.k;
    const o: Record<string, string | number> = {};
    k.pkmap_count.forEach((n, i) => { o[`pkmap_count[${i}]`] = n; });
    k.page_address.forEach((v, p) => { if (PageHighMem(k, p)) o[`page_address(p${p})`] = v ? `0x${v.toString(16)}` : 'NULL'; });
    k.kmap_pte.forEach((pte, s) => { o[`fixmap[${s}]`] = pte_present(pte) ? `p${pte_page(pte)}` : '-'; });
    k.tlb.forEach((tlb, c) => { o[`cpu${c}.tlb`] = Object.entries(tlb).map(([v, pte]) => `0x${Number(v).toString(16)}:p${pte_page(pte)}`).join(' ') || '-'; });
    for (const t of w.tasks) {
      o[`${t.name}.kmap_ctrl.idx`] = k.kmap_ctrl[t.id]?.idx ?? 0;
      if (!t.idle) o[`${t.name}.preempt/pf/migrate`] = `${t.preempt_count}/${t.pagefault_disabled}/${t.migrate_disable}`;
    }
    return o;
  },
  describe: (wl: KmapWorkload) => [
    ...wl.tasks.map((t, i) => `task ${String.fromCharCode(65 + i)} (cpu${t.cpu}): ${t.ops.map(describeOp).join('; ')}`),
    ...wl.irqs.map((q, i) => `${q.kind} irq${i} (cpu${q.cpu}): ${q.ops.map(describeOp).join('; ')}`),
  ],
});
