/**
 * The kmap invariants B-INV1..B-INV7 (kmap.md B.3), stated from their meaning over the World, the
 * statechart and the ghost records the engine keeps (contexts with the interrupted task's
 * kmap_ctrl.idx at their entry and end, recorded through the protocol's contextState), plus an
 * observable data check, non-negative counts, and a complete quiescence check at the end.
 */
import type { SnapshotFrom } from 'xstate';
import type { kmapMachine, KmapSpecContext, LocalMap } from '../model/kmap.machine.js';
import type { Ghost } from '../src/engine/ghost.js';
import { defineInvariant, type Invariant } from '../src/protocol.js';
import { PageHighMem, type KmapState } from '../src/kernel/mm/kmap-types.js';
import { isFixmap, isPkmap, PKMAP_ADDR, PKMAP_NR, pte_page, pte_present } from '../src/kernel/mm/pgtable.js';
import { tlb_entries, tlb_lookup } from '../src/sim/tlb.js';
import type { World } from '../src/sim/world.js';

type Spec = SnapshotFrom<typeof kmapMachine>;
type Inv = Invariant<KmapState, Spec>;
const inv = (i: Inv) => defineInvariant<KmapState, Spec>(i);

/** Live local mappings of a task that occupy one of its CPU's fixmap slots. */
const fixmapped = (k: KmapState, c: KmapSpecContext, task: number): LocalMap[] =>
  (c.stacks[task] ?? []).filter((e) => isFixmap(k, e.vaddr));

/** Live local mappings, of any task, that are kmap_high_get() pins of pkmap slot `nr`. */
const pins = (c: KmapSpecContext, nr: number): number =>
  Object.values(c.stacks).reduce((n, s) => n + s.filter((e) => e.vaddr === PKMAP_ADDR(nr)).length, 0);

const name = (w: World<KmapState>, task: number) => w.tasks[task]?.name ?? `task ${task}`;
const idxOf = (k: KmapState, task: number) => k.kmap_ctrl[task]?.idx ?? 0;

/** Contexts running on a task now (its own and the interrupts nested on it): each may have one map or unmap in flight. */
function contextsOn(w: World<KmapState>, task: number): number {
  const cpu = w.cpus.find((c) => c.curr === task);
  return cpu ? cpu.ctx.filter((c) => c.kind !== 'sched').length : 0;
}

/** What a CPU's TLB caches for pkmap slot `nr`, if anything. */
const cached = (k: KmapState, cpu: number, nr: number) => tlb_lookup(k.tlb[cpu]!, 0, PKMAP_ADDR(nr));

/** A TLB entry that translates a pkmap address to another page than its present PTE maps now: a reused slot not flushed. */
function staleTranslation(w: World<KmapState>, nr: number): string | null {
  const k = w.k;
  const pte = k.pkmap_page_table[nr]!;
  if (!pte_present(pte)) return null;
  for (const cpu of w.cpus) {
    const e = cached(k, cpu.id, nr);
    if (e && e.pfn !== pte_page(pte)) return `cpu${cpu.id}'s TLB translates pkmap slot ${nr} to p${e.pfn} while its PTE maps p${pte_page(pte)}`;
  }
  return null;
}

export const kmapInvariants: Inv[] = [
  inv({
    name: 'kmap/counts-nonnegative',
    description: 'no reference count goes below zero: pkmap_count[] and every task\'s kmap_ctrl.idx',
    check(w) {
      const k = w.k;
      const i = k.pkmap_count.findIndex((n) => n < 0);
      if (i >= 0) return `pkmap_count[${i}] = ${k.pkmap_count[i]}`;
      for (const t of w.tasks) if (idxOf(k, t.id) < 0) return `${t.name}: kmap_ctrl.idx = ${idxOf(k, t.id)}`;
    },
  }),
  inv({
    name: 'kmap/B-INV1-lifo',
    description: 'kmap_local/kmap_atomic mappings of a task are unmapped strictly in reverse order (enforced by the statechart: only the top may be unmapped)',
  }),
  inv({
    name: 'kmap/B-INV2-bounds',
    description: '0 <= kmap_ctrl.idx < KM_MAX_IDX; idx counts the live fixmap mappings of the task, plus at most one map or unmap in flight per context running on it; no local mapping crosses fork, return to user or exit (statechart)',
    check(w, spec) {
      const k = w.k;
      for (const t of w.tasks) {
        const idx = idxOf(k, t.id);
        if (idx < 0 || idx >= k.KM_MAX_IDX) return `${t.name}: kmap_ctrl.idx = ${idx}, outside [0, KM_MAX_IDX = ${k.KM_MAX_IDX})`;
        const live = fixmapped(k, spec.context, t.id).length;
        const slots = idx / k.KM_INCR;
        if (slots < live || slots > live + contextsOn(w, t.id)) return `${t.name}: kmap_ctrl.idx = ${idx} but it holds ${live} local mapping(s)`;
      }
    },
  }),
  inv({
    name: 'kmap/B-INV3-slots',
    description: "outside a context switch, a CPU's kmap_local fixmap slots map exactly the live fixmap mappings of the task running there, no more, no less",
    check(w, spec) {
      const k = w.k;
      for (const cpu of w.cpus) {
        if (cpu.ctx.some((c) => c.kind === 'sched')) continue;
        const want = fixmapped(k, spec.context, cpu.curr).map((e) => e.page).sort();
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
  inv({
    name: 'kmap/B-INV4-locality',
    description: 'a task holding a fixmap (HIGHMEM or FORCE_MAP) local mapping has migration disabled and runs only on the CPU that made the mapping',
    check(w, spec) {
      for (const t of w.tasks) {
        const live = fixmapped(w.k, spec.context, t.id);
        if (live.length === 0) continue;
        if (t.migrate_disable === 0) return `${t.name} holds a local mapping of p${live[0]!.page} with migration enabled`;
        const on = w.cpus.find((c) => c.curr === t.id);
        const away = on && live.find((e) => e.cpu !== on.id);
        if (away) return `${t.name} runs on cpu${on.id} but mapped p${away.page} on cpu${away.cpu}`;
      }
    },
  }),
  inv({
    name: 'kmap/B-INV5-irq-balance',
    description: "every interrupt or exception leaves the interrupted task's kmap_ctrl.idx as it found it (and the statechart its stack); a hardirq makes no kmap_local mapping with interrupts enabled",
    check(w, _spec, ghost: Ghost) {
      for (const e of ghost.ended) {
        if (e.kind === 'task' || e.kind === 'sched' || e.exit.state === e.entry.state) continue;
        return `${e.name} on cpu${e.cpu} returned with ${name(w, e.entry.task)}'s kmap_ctrl.idx ${String(e.entry.state)} → ${String(e.exit.state)}`;
      }
      for (const cpu of w.cpus) {
        if (cpu.irqsOff) continue;
        const hard = ghost.open[cpu.id]!.filter((c) => c.kind === 'hardirq').at(-1);
        if (hard && idxOf(w.k, cpu.curr) > Number(hard.entry.state)) return `${hard.name} on cpu${cpu.id} holds a kmap_local mapping with interrupts enabled`;
      }
    },
  }),
  inv({
    name: 'kmap/B-INV6-pkmap-counts',
    description: 'pkmap_count 0 = no PTE, and in no TLB whenever kmap_lock is free (flushed before reuse); n >= 1 = mapped with n-1 users (kmap()s and kmap_high_get() pins); page_address() agrees; no TLB ever translates a pkmap address to another page than its PTE',
    check(w, spec) {
      const k = w.k;
      const locked = 'kmap_lock' in w.locks;
      for (let i = 0; i < k.LAST_PKMAP; i++) {
        const stale = staleTranslation(w, i);
        if (stale) return stale;
        const n = k.pkmap_count[i]!;
        const pte = k.pkmap_page_table[i]!;
        if (n <= 0) {
          if (pte_present(pte)) return `pkmap slot ${i} has count ${n} but still maps p${pte_page(pte)}`;
          const on = w.cpus.find((c) => cached(k, c.id, i));
          if (on && !locked) return `pkmap slot ${i} is free (count 0, kmap_lock released) but cpu${on.id}'s TLB still caches it (p${cached(k, on.id, i)!.pfn}): reusable without a flush`;
          continue;
        }
        if (!pte_present(pte)) return `pkmap slot ${i} has count ${n} but no PTE`;
        const p = pte_page(pte);
        if (k.page_address[p] !== PKMAP_ADDR(i)) return `pkmap slot ${i} maps p${p} but page_address(p${p}) is ${k.page_address[p] || 'NULL'}`;
        const users = (spec.context.users[p] ?? 0) + pins(spec.context, i);
        if (n - 1 !== users) return `pkmap_count[${i}] = ${n} but p${p} has ${users} user(s) (kmap() and kmap_high_get())`;
      }
      for (let p = 0; p < k.highmem.length; p++) {
        if (PageHighMem(k, p) && (spec.context.users[p] ?? 0) > 0 && !k.page_address[p]) return `p${p} has kmap() users but page_address() is NULL`;
      }
    },
  }),
  inv({
    name: 'kmap/flush-unused',
    description: 'when kmap_flush_unused() returns, no pkmap slot is mapped and unused (count 1) and no TLB caches a pkmap address whose slot is free (its postcondition, as the caller saw it on return)',
    check(w) {
      const f = w.k.flushReturn;
      if (!f) return;
      const kept = f.pkmap_count.indexOf(1);
      if (kept >= 0) return `${f.who}'s kmap_flush_unused() returned with pkmap slot ${kept} still mapped and unused (count 1)`;
      for (const [cpu, tlb] of f.tlb.entries()) {
        for (const e of tlb_entries(tlb)) {
          if (isPkmap(w.k, e.va) && f.pkmap_count[PKMAP_NR(e.va)] === 0) return `${f.who}'s kmap_flush_unused() returned with free pkmap slot ${PKMAP_NR(e.va)} still cached by cpu${cpu}'s TLB (p${e.entry.pfn})`;
        }
      }
    },
  }),
  inv({
    name: 'kmap/irq-safe-lock',
    description: 'with ARCH_NEEDS_KMAP_HIGH_GET, kmap_lock is held only with interrupts off on its holder\'s CPU: kmap_high_get() takes it from any context, so an interrupt that came in on the holder would spin on it forever (lockdep: a HARDIRQ-safe lock taken with irqs on)',
    check(w) {
      if (!w.k.cfg.ARCH_NEEDS_KMAP_HIGH_GET) return;
      const holder = w.locks.kmap_lock;
      if (holder === undefined) return;
      for (const cpu of w.cpus) {
        const i = cpu.ctx.findIndex((c) => c.unit === holder);
        if (i < 0) continue;
        // the holder's own irq state: the CPU's if it runs innermost, else what the interrupt above it saved
        const irqsOff = i === cpu.ctx.length - 1 ? cpu.irqsOff : cpu.ctx[i + 1]!.savedIrqsOff;
        if (!irqsOff) return `kmap_lock is held on cpu${cpu.id} (${cpu.ctx[i]!.kind} of ${name(w, cpu.curr)}) with interrupts on`;
      }
    },
  }),
  inv({
    name: 'kmap/B-INV7-atomic',
    description: 'between kmap_atomic and kunmap_atomic page faults and preemption (PREEMPT_RT: migration) are disabled; kmap() is never called in atomic context (statechart)',
    check(w, spec) {
      const rt = w.preempt === 'rt';
      for (const t of w.tasks) {
        const atomic = (spec.context.stacks[t.id] ?? []).find((e) => e.atomic);
        if (!atomic) continue;
        if (t.pagefault_disabled === 0) return `${t.name} holds kmap_atomic(p${atomic.page}) with page faults enabled`;
        if ((rt ? t.migrate_disable : t.preempt_count) === 0) return `${t.name} holds kmap_atomic(p${atomic.page}) with ${rt ? 'migration' : 'preemption'} enabled`;
      }
    },
  }),
  inv({
    name: 'kmap/data',
    description: 'every read or write through a kmap address reaches the page that was mapped',
    check(w) {
      const a = w.k.lastAccess;
      if (a && a.reached !== a.page) {
        return `${a.who} ${a.write ? 'wrote' : 'read'} p${a.page} through 0x${a.vaddr.toString(16)} but reached ${a.reached === 'fault' ? 'no page (fault)' : `p${a.reached}`}`;
      }
    },
  }),
  inv({
    name: 'kmap/no-false-warning',
    description: 'kernel diagnostics (WARN_ON) never fire on an execution the protocol allows: a false alarm hides real ones',
    check(w) {
      if (w.warnings.length > 0) return `the kernel warned on a legal execution: ${w.warnings[0]}`;
    },
  }),
  inv({
    name: 'kmap/quiescent',
    description: 'when every task has exited: every kmap_local stack empty with no saved PTE, no fixmap slot mapped, no kmap() user or pin (every pkmap_count <= 1, count 0 unmapped), no TLB entry for a freed slot or another page, kmap_lock free (that nobody is left on pkmap_map_wait is kernel/quiescent)',
    final: true,
    check(w, spec) {
      const k = w.k;
      for (const t of w.tasks) {
        const c = k.kmap_ctrl[t.id];
        if (c && (c.idx !== 0 || c.pteval.some((v) => v !== 0))) return `${t.name} ended with kmap_ctrl.idx = ${c.idx}, saved PTEs [${c.pteval.filter((v) => v !== 0)}]`;
      }
      const slot = k.kmap_pte.findIndex((pte) => pte_present(pte));
      if (slot >= 0) return `fixmap slot ${slot} still maps p${pte_page(k.kmap_pte[slot]!)}`;
      for (let i = 0; i < k.LAST_PKMAP; i++) {
        const n = k.pkmap_count[i]!;
        if (n > 1) return `pkmap_count[${i}] = ${n} with no user left`;
        if (n === 0 && pte_present(k.pkmap_page_table[i]!)) return `pkmap slot ${i} is free but still maps p${pte_page(k.pkmap_page_table[i]!)}`;
        const stale = staleTranslation(w, i);
        if (stale) return stale;
        const on = w.cpus.find((c) => cached(k, c.id, i));
        if (n === 0 && on) return `pkmap slot ${i} is free but cpu${on.id}'s TLB still caches it`;
      }
      if (Object.keys(w.locks).length) return `${Object.keys(w.locks).join(', ')} still held`;
      if (spec.context.users.some((n: number) => n > 0)) return 'a kmap() was never undone';
      if (Object.values(spec.context.stacks).some((s) => s.length > 0)) return 'a kmap_local() was never undone';
    },
  }),
];
