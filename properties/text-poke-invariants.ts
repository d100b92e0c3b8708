/**
 * Invariants of text poking (text-poke.md D.3), each stated from its meaning and judged on the
 * World (CR3, TLBs, page tables, cpu_tlbstate, memory, DR7) and the spec (which pokes and
 * unmappings callers have open), never on what the kernel model says about itself; plus the
 * observable ones: every access reaches the page the page tables map (no use of a stale
 * translation once its flush returned), and kernel diagnostics stay quiet.
 */
import type { SnapshotFrom } from 'xstate';
import type { textPokeMachine } from '../model/text-poke.machine.js';
import { defineInvariant, type Invariant } from '../src/protocol.js';
import { loadedTables } from '../src/kernel/arch/x86/include/asm/tlbflush.js';
import {
  INIT_MM, isText, kern_pcid, PAGE_SIZE, PMD_SIZE, POKING_MM, TASK_SIZE, TASK_UNMAPPED_BASE, TEXT_PFNS, user_pcid, X86_CR3_PTI_PCID_USER_BIT, type TextPokeState,
} from '../src/kernel/mm/text-poke-types.js';
import { tlb_entries, tlb_lookup } from '../src/sim/tlb.js';
import { topCtx, type World } from '../src/sim/world.js';

type Spec = SnapshotFrom<typeof textPokeMachine>;
type Inv = Invariant<TextPokeState, Spec>;
type W = World<TextPokeState>;

const hex = (va: number) => `0x${va.toString(16)}`;
/** the ASID a PCID belongs to (PCID 0: PCIDs off, ASID 0) */
const pcidAsid = (pcid: number): number => (pcid === 0 ? 0 : (pcid & ~(1 << X86_CR3_PTI_PCID_USER_BIT)) - 1);
const mmName = (k: TextPokeState, mm: number) => k.mms[mm]?.name ?? `mm${mm}`;

/** Writable translations of text a CPU has cached and can use now: under its current PCID, or global. */
function usableTextAliases(w: W, cpu: number): string[] {
  const k = w.k;
  const c = k.cpus[cpu]!;
  const out: string[] = [];
  for (const e of tlb_entries(k.tlb[cpu]!)) {
    if (!e.entry.writable || !isText(e.entry.pfn)) continue;
    if (e.pcid === null || !k.cfg.X86_FEATURE_PCID || e.pcid === c.cr3.pcid) out.push(`${hex(e.va)} → p${e.entry.pfn} (TLB${e.pcid === null ? ', global' : `, pcid ${e.pcid}`})`);
  }
  return out;
}

/** CR3 against the mode the CPU runs in and its loaded ASID slot (the entry code's SWITCH_TO_*_CR3), if they disagree. */
function cr3Mismatch(w: W, cpu: number): string | undefined {
  const k = w.k;
  const c = k.cpus[cpu]!;
  const user = k.cfg.X86_FEATURE_PTI && topCtx(w.cpus[cpu]!).kind === 'thread' && k.tasks[w.cpus[cpu]!.curr]?.inUser === true;
  if (c.cr3.user !== user) return `cpu${cpu} runs ${user ? 'user' : 'kernel'} mode on the ${c.cr3.user ? 'user' : 'kernel'} CR3`;
  const asid = c.tlbstate.loaded_mm_asid;
  const pcid = !k.cfg.X86_FEATURE_PCID ? 0 : user ? user_pcid(asid) : kern_pcid(asid);
  if (c.cr3.pcid !== pcid) return `cpu${cpu}'s CR3 is tagged PCID ${c.cr3.pcid}, but its loaded mm holds ASID slot ${asid} (PCID ${pcid})`;
}

/** The CPU runs a task whose poke is open. */
const poking = (w: W, spec: Spec, cpu: number) => spec.context.pokes[w.cpus[cpu]!.curr] !== undefined;

/** Outside the switch path: irqs on and no context switch in progress. */
const settled = (w: W, cpu: number) => !w.cpus[cpu]!.irqsOff && !w.cpus[cpu]!.ctx.some((c) => c.kind === 'sched');

export const textPokeInvariants: Inv[] = [
  defineInvariant<TextPokeState, Spec>({
    name: 'text-poke/D-INV1-confinement',
    description: 'a writable alias of kernel text is cached (under the current PCID, or global) only on a CPU running an open poke: no other CPU can fill it, not even speculatively',
    check(w, spec) {
      for (let cpu = 0; cpu < w.cpus.length; cpu++) {
        if (poking(w, spec, cpu)) continue;
        const a = usableTextAliases(w, cpu);
        if (a.length) return `cpu${cpu} (${w.tasks[w.cpus[cpu]!.curr]!.name}, no poke of its own) can write kernel text: ${a[0]}`;
      }
    },
  }),
  defineInvariant<TextPokeState, Spec>({
    name: 'text-poke/D-INV2-no-stale-alias',
    description: 'between pokes, a cached writable translation of text whose PTE is gone belongs to an ASID slot that must flush before its next use: the slot\'s mm has a newer tlb_gen, or the slot no longer names an mm; never global, never under the PCID in use',
    check(w, spec) {
      if (Object.keys(spec.context.pokes).length > 0) return;
      const k = w.k;
      for (let cpu = 0; cpu < w.cpus.length; cpu++) {
        const c = k.cpus[cpu]!;
        for (const e of tlb_entries(k.tlb[cpu]!)) {
          if (!e.entry.writable || !isText(e.entry.pfn)) continue;
          const at = `cpu${cpu} caches ${hex(e.va)} → p${e.entry.pfn}`;
          if (e.pcid === null) return `${at} as a global entry after the poke: it survives every CR3 switch`;
          const slot = c.tlbstate.ctxs[pcidAsid(e.pcid)]!;
          const mm = k.mms.findIndex((m) => m.ctx_id === slot.ctx_id);
          if (mm < 0) continue; // a freed slot is flushed when it is taken again
          const m = k.mms[mm]!;
          if ((mm === INIT_MM ? k.kernel : { ...k.kernel, ...m.pgd })[e.va]?.pfn === e.entry.pfn) continue; // not stale
          if (k.cfg.X86_FEATURE_PCID && e.pcid === c.cr3.pcid) return `${at} under the PCID in use (${mmName(k, mm)}): a stale alias`;
          if (slot.tlb_gen >= m.tlb_gen) return `${at} (pcid ${e.pcid}, ${mmName(k, mm)}) after the poke, and ASID slot ${pcidAsid(e.pcid)} is at tlb_gen ${slot.tlb_gen} = ${m.name}'s ${m.tlb_gen}: its next use will not flush`;
        }
      }
    },
  }),
  defineInvariant<TextPokeState, Spec>({
    name: 'text-poke/D-INV3-non-global',
    description: 'no writable alias of kernel text is global, in a page table or a TLB: a global entry survives CR3 and PCID switches and exposes the alias in every mm',
    check(w) {
      const k = w.k;
      const tables: [string, Record<number, { pfn: number; rw: boolean; global: boolean }>][] = [['init_mm', k.kernel], ...k.mms.map((m): [string, typeof m.pgd] => [m.name, m.pgd])];
      for (const [name, t] of tables) {
        for (const [va, pte] of Object.entries(t)) if (pte.rw && pte.global && isText(pte.pfn)) return `${name} maps ${hex(Number(va))} → p${pte.pfn} writable with _PAGE_GLOBAL`;
      }
      for (let cpu = 0; cpu < w.cpus.length; cpu++) {
        const g = tlb_entries(k.tlb[cpu]!).find((e) => e.pcid === null && e.entry.writable && isText(e.entry.pfn));
        if (g) return `cpu${cpu}'s TLB holds a global writable entry ${hex(g.va)} → p${g.entry.pfn}`;
      }
    },
  }),
  defineInvariant<TextPokeState, Spec>({
    name: 'text-poke/D-INV5-irqs-off',
    description: 'irqs are disabled for as long as poking_mm is loaded (from the switch to it until the switch back), and no interrupt runs on that CPU meanwhile',
    check(w) {
      for (let cpu = 0; cpu < w.cpus.length; cpu++) {
        const c = w.k.cpus[cpu]!;
        if (c.cr3.mm !== POKING_MM && c.tlbstate.loaded_mm !== POKING_MM && !w.k.mms[POKING_MM]!.mm_cpumask[cpu]) continue;
        const irq = w.cpus[cpu]!.ctx.find((x) => x.kind === 'hardirq' || x.kind === 'softirq');
        if (irq) return `an interrupt runs on cpu${cpu} while poking_mm is loaded`;
        if (!w.cpus[cpu]!.irqsOff) return `cpu${cpu} has poking_mm loaded with irqs enabled`;
      }
    },
  }),
  defineInvariant<TextPokeState, Spec>({
    name: 'text-poke/D-INV4-restore',
    description: 'outside a switch and a poke, a CPU\'s loaded mm is its task\'s mm (non-lazy), or for a kernel thread init_mm or a lazily held mm; mm_cpumask agrees with the loaded mm; no CR3 points at page tables exit_mmap() freed; an mm holds at most one ASID slot of a CPU (choose_new_asid() reuses the slot it holds)',
    check(w) {
      const k = w.k;
      for (let cpu = 0; cpu < w.cpus.length; cpu++) {
        const c = k.cpus[cpu]!;
        // a CPU that left the mm's cpumask, irqs off, is in the middle of switching away: its CR3 is the next step
        const cr3mm = k.mms[c.cr3.mm]!;
        if (cr3mm.tablesFreed && (cr3mm.mm_cpumask[cpu] || settled(w, cpu))) return `cpu${cpu}'s CR3 points at ${cr3mm.name}'s page tables, which exit_mmap() freed`;
        const ts = c.tlbstate;
        const slots = ts.ctxs.map((s) => s.ctx_id).filter((id) => id !== 0);
        const twice = slots.find((id, i) => slots.indexOf(id) !== i);
        if (twice !== undefined) return `cpu${cpu} holds ctx_id ${twice} in two ASID slots`;
        if (!settled(w, cpu) || ts.loaded_mm === POKING_MM) continue;
        const task = w.tasks[w.cpus[cpu]!.curr]!;
        const mm = k.tasks[task.id]?.mm ?? -1;
        const state = `${mmName(k, ts.loaded_mm)}${ts.is_lazy ? ' (lazy)' : ''}`;
        if (mm >= 0 && (ts.loaded_mm !== mm || ts.is_lazy)) return `cpu${cpu} runs ${task.name} (${mmName(k, mm)}) with ${state} loaded`;
        if (mm < 0 && (ts.loaded_mm === INIT_MM) === ts.is_lazy) return `cpu${cpu} runs kernel thread ${task.name} with ${state} loaded: a lazily held mm reinstated non-lazily`;
        for (let m = 1; m < k.mms.length; m++) {
          if (k.mms[m]!.mm_cpumask[cpu] !== (ts.loaded_mm === m)) return `cpu${cpu} has ${state} loaded but is${k.mms[m]!.mm_cpumask[cpu] ? '' : ' not'} in mm_cpumask(${mmName(k, m)})`;
        }
      }
    },
  }),
  defineInvariant<TextPokeState, Spec>({
    name: 'text-poke/D-INV6-exclusive',
    description: 'one poke at a time owns the poking PTE slot: poking_mm is loaded on at most one CPU',
    check(w) {
      const on = w.k.cpus.flatMap((c, i) => (c.cr3.mm === POKING_MM || c.tlbstate.loaded_mm === POKING_MM ? [i] : []));
      if (on.length > 1) return `poking_mm is loaded on cpu${on.join(' and cpu')} at once`;
    },
  }),
  defineInvariant<TextPokeState, Spec>({
    name: 'text-poke/D-INV7-bytes-land',
    description: 'kernel text holds what the completed pokes wrote (memcmp after every poke), and a page being poked holds its old or its new bytes, nothing else',
    check(w, spec) {
      const k = w.k;
      for (const pfn of TEXT_PFNS) {
        const want = spec.context.text[pfn];
        const open = Object.values(spec.context.pokes).filter((p) => p.pfns.includes(pfn)).map((p) => p.value);
        if (k.mem[pfn] === want || open.includes(k.mem[pfn]!)) continue;
        return `p${pfn} holds ${k.mem[pfn]} but its pokes wrote ${want}${open.length ? ` (open: ${open.join(', ')})` : ''}`;
      }
    },
  }),
  defineInvariant<TextPokeState, Spec>({
    name: 'text-poke/D-INV8-breakpoints',
    description: 'user watchpoints (on user addresses like poking_addr) never fire on the kernel\'s accesses through poking_mm, and are restored afterwards',
    check(w) {
      const k = w.k;
      // a user watchpoint (the 'watch' operation arms one on poking_addr) fires on any access to its address
      const a = k.lastAccess;
      if (a?.kernel && a.dr7 && a.va === k.poking_addr) return `${a.who} on cpu${a.cpu} hit a user watchpoint at ${hex(a.va)}`;
      for (let cpu = 0; cpu < w.cpus.length; cpu++) {
        const c = k.cpus[cpu]!;
        if (settled(w, cpu) && c.tlbstate.loaded_mm !== POKING_MM && c.dr7 !== c.cpu_dr7) return `cpu${cpu}'s DR7 is ${c.dr7 ? 'armed' : 'clear'} but its task's breakpoints say ${c.cpu_dr7 ? 'armed' : 'clear'}`;
      }
    },
  }),
  defineInvariant<TextPokeState, Spec>({
    name: 'text-poke/D-INV9-pti',
    description: 'poking_mm\'s user PCID is never loaded; in user mode, the user PCID caches no translation its mm no longer maps, unless that unmapping is still being flushed (the deferred user flush was applied at SWITCH_TO_USER_CR3); outside a switch, a task in user mode runs on the user CR3 and the kernel on the kernel CR3, tagged with the PCID of the loaded mm\'s ASID slot',
    check(w, spec) {
      const k = w.k;
      const inFlight = Object.values(spec.context.unmaps);
      for (let cpu = 0; cpu < w.cpus.length; cpu++) {
        const c = k.cpus[cpu]!;
        const wrong = settled(w, cpu) ? cr3Mismatch(w, cpu) : undefined;
        if (wrong) return wrong;
        if (!c.cr3.user) continue;
        if (c.cr3.mm === POKING_MM) return `cpu${cpu} returned to user mode on poking_mm`;
        const tables = loadedTables(k, cpu);
        for (const e of tlb_entries(k.tlb[cpu]!)) {
          if (e.pcid !== null && e.pcid !== c.cr3.pcid) continue;
          if (tables[e.va]?.pfn === e.entry.pfn || inFlight.some((u) => u.mm === c.cr3.mm && u.va === e.va)) continue;
          return `cpu${cpu} is in user mode (pcid ${c.cr3.pcid}) and caches ${hex(e.va)} → p${e.entry.pfn}, which ${mmName(k, c.cr3.mm)} no longer maps`;
        }
      }
    },
  }),
  defineInvariant<TextPokeState, Spec>({
    name: 'text-poke/no-stale-write',
    description: 'every write reaches the page the loaded page tables map, unless the translation it used is being flushed by an unmapping still in flight: a later poke or another mm never writes through an old translation',
    check(w, spec) {
      const k = w.k;
      const a = k.lastAccess;
      if (!a || a.via !== 'tlb' || a.reached === a.truth) return;
      // still usable on that CPU: the access is this step's, or its stale entry outlived the flush.
      // Usable means by the poke inside its window, or by user code: a CPU in lazy mode (kernel
      // threads touch no user memory), in an interrupt or in a switch (irqs off) cannot use it
      const e = tlb_lookup(k.tlb[a.cpu]!, a.pcid, a.va);
      const c = k.cpus[a.cpu]!;
      if (e?.pfn !== a.reached) return;
      if (!e.global && (c.cr3.pcid !== a.pcid || (a.mm === POKING_MM ? c.cr3.mm !== POKING_MM : !settled(w, a.cpu) || c.tlbstate.is_lazy))) return;
      if (Object.values(spec.context.unmaps).some((u) => u.mm === a.mm && u.va === a.va)) return;
      return `${a.who} on cpu${a.cpu} wrote ${hex(a.va)} in ${mmName(k, a.mm)} (pcid ${a.pcid}) and reached p${a.reached} through the TLB, but the page tables map ${a.truth < 0 ? 'nothing' : `p${a.truth}`}`;
    },
  }),
  defineInvariant<TextPokeState, Spec>({
    name: 'text-poke/no-warning',
    description: 'kernel diagnostics (WARN_ON) never fire on an execution the protocol allows',
    check(w) {
      if (w.warnings.length > 0) return `the kernel warned: ${w.warnings[0]}`;
    },
  }),
  defineInvariant<TextPokeState, Spec>({
    name: 'text-poke/poking-addr',
    description: 'poking_init() put poking_addr where the series says: a page-aligned user address, randomized in [TASK_UNMAPPED_BASE, TASK_SIZE - 3 pages) (never NULL), whose next page shares its PMD (one preallocated PTE table serves a two-page poke)',
    check(w) {
      const a = w.k.poking_addr;
      if (a % PAGE_SIZE !== 0 || a < TASK_UNMAPPED_BASE || a >= TASK_SIZE - 2 * PAGE_SIZE) return `poking_addr ${hex(a)} is not a page of [${hex(TASK_UNMAPPED_BASE)}, ${hex(TASK_SIZE - 3 * PAGE_SIZE)}]`;
      if (Math.floor(a / PMD_SIZE) !== Math.floor((a + PAGE_SIZE) / PMD_SIZE)) return `poking_addr ${hex(a)} and the next page lie in different PMDs`;
    },
  }),
  defineInvariant<TextPokeState, Spec>({
    name: 'text-poke/quiescent',
    description: 'once every task has ended, every process\'s mm has been torn down: no user left (mm_users 0) and its page tables freed by exit_mmap()',
    final: true,
    check(w) {
      for (const m of w.k.mms.slice(POKING_MM + 1)) {
        if (m.mm_users !== 0 || !m.tablesFreed) return `${m.name} outlived its tasks: mm_users ${m.mm_users}, page tables ${m.tablesFreed ? 'freed' : 'never freed'}`;
      }
    },
  }),
];
