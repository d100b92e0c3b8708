/**
 * The text-poke protocol (text-poke.md, seed 004): x86 text poking through a temporary mm, TLB
 * generations, PCIDs and PTI. Ties the statechart, the kernel model, the workloads, the
 * environment (speculative TLB fills from whatever the loaded page tables map) and the invariants.
 */
import { textPokeMachine, type TextPokeEvent } from '../model/text-poke.machine.js';
import { defineProtocol } from '../src/protocol.js';
import { irqentry_enter, irqentry_exit } from '../src/kernel/arch/x86/entry/calling.js';
import { loadedTables, toEntry } from '../src/kernel/arch/x86/include/asm/tlbflush.js';
import { poking_init } from '../src/kernel/arch/x86/mm/init.js';
import { finish_task_switch, prepare_task_switch } from '../src/kernel/kernel/sched/core-mm.js';
import {
  INIT_MM, kern_pcid, newMm, PAGE_SIZE, POKING_MM, TEXT_PFNS, TLB_NR_DYN_ASIDS, USER_PFN, type TCpu, type TextPokeConfig, type TextPokeState, type X,
} from '../src/kernel/mm/text-poke-types.js';
import { speculativeFills, tlb_entries } from '../src/sim/tlb.js';
import type { World } from '../src/sim/world.js';
import { textPokeInvariants } from './text-poke-invariants.js';
import { describeOps, deviceIrq, kthreadTask, userThread } from './text-poke-programs.js';
import { textPokeVariants } from './text-poke-variants.js';
import { enumerateTextPoke, OPERATIONS, PARAMETERS, textPokeWorkload, USER_PAGES, type KthreadOp, type TextPokeWorkload, type UserOp } from './text-poke-workload.js';

/** mm of process i */
const procMm = (i: number) => POKING_MM + 1 + i;

interface Program { name: string; cpu: number; mm: number; prog: number; user?: UserOp[]; kthread?: KthreadOp[] }

/** The programs in engine order (tasks get ids cpus + index): main threads, second threads, kthreads. */
function programs(wl: TextPokeWorkload) {
  return [
    ...wl.procs.map((p, i): Program => ({ name: `P${i}`, cpu: p.cpu, mm: procMm(i), prog: i, user: p.ops })),
    ...wl.procs.flatMap((p, i): Program[] => (p.thread ? [{ name: `P${i}.t`, cpu: p.thread.cpu, mm: procMm(i), prog: 10 + i, user: p.thread.ops }] : [])),
    ...wl.kthreads.map((t, i): Program => ({ name: `kworker${i}`, cpu: t.cpu, mm: -1, prog: 20 + i, kthread: t.ops })),
  ];
}

function newCpu(cfg: TextPokeConfig, initCtx: number): TCpu {
  return {
    tlbstate: {
      loaded_mm: INIT_MM, loaded_mm_asid: 0, is_lazy: false, next_asid: 1, user_pcid_flush_mask: [], invalidate_other: false,
      ctxs: Array.from({ length: TLB_NR_DYN_ASIDS }, (_, a) => ({ ctx_id: a === 0 ? initCtx : 0, tlb_gen: 0 })),
    },
    cr3: { mm: INIT_MM, pcid: cfg.X86_FEATURE_PCID ? kern_pcid(0) : 0, user: false },
    fromUser: [], cpu_dr7: false, dr7: false,
  };
}

function createState(cfg: TextPokeConfig, wl: TextPokeWorkload, cpus: number): TextPokeState {
  const k: TextPokeState = {
    cfg, cpus: [], mms: [], tasks: {}, kernel: {}, tlb: Array.from({ length: cpus }, () => ({})), mem: {},
    nextPfn: USER_PAGES * wl.procs.length, poking_addr: 0, lastAccess: null,
  };
  newMm(k, 'init_mm', cpus);
  poking_init(k, { cpus, kaslr: wl.kaslr });
  for (const pfn of TEXT_PFNS) k.mem[pfn] = pfn;
  wl.procs.forEach((p, i) => {
    const mm = newMm(k, `mm${procMm(i)}`, cpus);
    // a VMA of two pages, both present: at poking_addr (colliding with the alias) and the next
    for (let page = 0; page < USER_PAGES; page++) {
      const pfn = USER_PFN + USER_PAGES * i + page;
      k.mms[mm]!.pgd[k.poking_addr + page * PAGE_SIZE] = { pfn, rw: true, global: false };
      k.mem[pfn] = 0;
    }
    k.mms[mm]!.mm_users = p.thread ? 2 : 1;
  });
  k.cpus = Array.from({ length: cpus }, () => newCpu(cfg, k.mms[INIT_MM]!.ctx_id));
  for (let c = 0; c < cpus; c++) k.tasks[c] = { mm: -1, inUser: false, watch: false };
  const first = new Set<number>();
  programs(wl).forEach((p, i) => {
    k.tasks[cpus + i] = { mm: p.mm, inUser: false, watch: false };
    const cpu = p.cpu % cpus;
    if (first.has(cpu)) return;
    first.add(cpu);
    // the engine starts the first program of each CPU there without a switch: its mm is loaded
    if (p.mm < 0) return;
    const c = k.cpus[cpu]!;
    c.tlbstate.loaded_mm = p.mm;
    c.tlbstate.ctxs[0] = { ctx_id: k.mms[p.mm]!.ctx_id, tlb_gen: 0 };
    c.cr3.mm = p.mm;
    k.mms[p.mm]!.mm_cpumask[cpu] = true;
  });
  return k;
}

const hex = (n: number) => `0x${n.toString(16)}`;

export const textPokeProtocol = defineProtocol({
  name: 'text-poke',
  description: 'x86 text poking through a temporary mm: TLB generations, PCIDs, PTI, lazy TLB, speculative TLB fills',
  machine: textPokeMachine,
  variants: textPokeVariants,
  invariants: textPokeInvariants,
  operations: OPERATIONS,
  parameters: PARAMETERS,
  workload: (o) => textPokeWorkload(o),
  enumerate: (b) => enumerateTextPoke(b),
  setup(wl: TextPokeWorkload, variant, { cpus }) {
    const mmOf = (p: number) => procMm(p % Math.max(1, wl.procs.length));
    return {
      k: createState(variant.config, wl, cpus),
      specInput: { text: Object.fromEntries(TEXT_PFNS.map((p) => [p, p])) },
      tasks: programs(wl).map((p) => ({
        name: p.name, cpu: p.cpu,
        run: (x: X) => (p.user ? userThread(x, p.prog, p.mm, p.user) : kthreadTask(x, p.prog, p.kthread ?? [], mmOf)),
      })),
      irqs: wl.irqs.map((q, i) => ({ name: `irq${i}`, cpu: q.cpu, kind: 'hardirq' as const, run: deviceIrq(`irq${i}`, q.times) })),
      hooks: {
        prepare_task_switch, finish_task_switch,
        irq_enter: (x: X) => irqentry_enter(x),
        irq_exit: (x: X) => irqentry_exit(x),
      },
    };
  },
  refusal: (_e: TextPokeEvent) => 'text-poke/D-INV7-bytes-land',
  /** The hardware may cache any present PTE of the tables CR3 points to, at any time. */
  environment(w: World<TextPokeState>) {
    const k = w.k;
    const present = k.cpus.flatMap((c, cpu) => Object.entries(loadedTables(k, cpu)).map(([va, pte]) => ({ cpu, pcid: c.cr3.pcid, va: Number(va), entry: toEntry(pte) })));
    return speculativeFills<TextPokeState, TextPokeEvent>(w, (v) => v.k.tlb, present, (t) => `${hex(t.va)} → p${t.entry.pfn}`);
  },
  observe(w: World<TextPokeState>) {
    const k = w.k;
    const o: Record<string, string | number | boolean> = {};
    k.cpus.forEach((c, i) => {
      const ts = c.tlbstate;
      o[`cpu${i}.CR3`] = `${k.mms[c.cr3.mm]!.name} pcid ${c.cr3.pcid}${c.cr3.user ? ' (user)' : ''}`;
      o[`cpu${i}.loaded_mm`] = `${k.mms[ts.loaded_mm]!.name} asid ${ts.loaded_mm_asid}${ts.is_lazy ? ' lazy' : ''}`;
      o[`cpu${i}.ctxs`] = ts.ctxs.map((x, a) => `${a}:${x.ctx_id === 0 ? '-' : `${k.mms.find((m) => m.ctx_id === x.ctx_id)?.name ?? x.ctx_id}@${x.tlb_gen}`}`).join(' ');
      o[`cpu${i}.tlb`] = tlb_entries(k.tlb[i]!).map((e) => `${e.pcid === null ? 'g' : e.pcid}:${hex(e.va)}→p${e.entry.pfn}`).join(' ') || '-';
      if (k.cfg.X86_FEATURE_PTI) o[`cpu${i}.user_pcid_flush_mask`] = ts.user_pcid_flush_mask.join(',') || '-';
      o[`cpu${i}.DR7`] = c.dr7 ? 'armed' : '-';
    });
    k.mms.forEach((m, i) => {
      if (i === INIT_MM) return;
      o[`${m.name}.tlb_gen`] = m.tlb_gen;
      o[`${m.name}.cpumask`] = m.mm_cpumask.map((b, c) => (b ? c : '')).join('') || '-';
      o[`${m.name}.ptes`] = Object.entries(m.pgd).map(([va, p]) => `${hex(Number(va))}→p${p.pfn}${p.global ? 'G' : ''}`).join(' ') || (m.tablesFreed ? 'freed' : '-');
    });
    o['init_mm.fixmap'] = Object.entries(k.kernel).map(([va, p]) => `${hex(Number(va))}→p${p.pfn}${p.global ? 'G' : ''}`).join(' ') || '-';
    for (const pfn of TEXT_PFNS) o[`text p${pfn}`] = k.mem[pfn]!;
    return o;
  },
  describe: (wl: TextPokeWorkload) => [
    `poking_addr from kaslr offset ${wl.kaslr}`,
    ...wl.procs.flatMap((p, i) => [
      `process P${i} (mm${procMm(i)}, cpu${p.cpu}): ${describeOps(p.ops)}; exit`,
      ...(p.thread ? [`thread P${i}.t (mm${procMm(i)}, cpu${p.thread.cpu}): ${describeOps(p.thread.ops)}; exit`] : []),
    ]),
    ...wl.kthreads.map((t, i) => `kthread kworker${i} (cpu${t.cpu}, lazy TLB): ${describeOps(t.ops)}`),
    ...wl.irqs.map((q, i) => `hardirq irq${i} (cpu${q.cpu})${q.times > 1 ? `, ${q.times} times` : ''}`),
  ],
});
