/**
 * The page-protection protocol: PKS stray-write protection of device pages (page-protection.md),
 * every design of A.0 over the kmap family of mm/highmem.c (reused, with protection hooks), the
 * invariants of A.3, the bugs of A.4 and the mutants of A.5.
 *
 * What the spec learns about contexts comes from here, not from kernel code: the engine calls
 * the hooks below around the kernel's entry/exit and switch code, and the interrupt programs
 * report their own start and end (a softirq run from local_bh_enable() has no irqentry).
 */
import { meaning, pageProtectionMachine, type Mode, type PpEvent } from '../model/page-protection.machine.js';
import { defineProtocol, type ContextKind, type Hooks } from '../src/protocol.js';
import type { Gen } from '../src/sim/thread.js';
import type { Task, World } from '../src/sim/world.js';
import { irqentry_enter, irqentry_exit } from '../src/kernel/arch/x86/entry/common.js';
import { pks_sched_in, pks_sched_out } from '../src/kernel/arch/x86/kernel/process.js';
import { pks_setup } from '../src/kernel/arch/x86/mm/pkeys.js';
import { hex, PKS_INIT_VALUE, PKS_KEY_PGMAP, pkrsAllowsWrite, type Pks, type PksConfig, type PpState, type PX } from '../src/kernel/arch/x86/include/asm/pks.js';
import { KM_MAX_IDX, type KmapConfig } from '../src/kernel/mm/kmap-types.js';
import { pksKmapHooks } from '../src/kernel/mm/memremap-pks.js';
import { param_set_pks_fault_mode, PKS_MODE_DEFAULT, RUNTIME_MODES } from '../src/kernel/mm/memremap-param.js';
import { ppTask, runPpOps, type PpOp } from '../src/kernel/mm/pks-callers.js';
import { ppEnumerate } from './page-protection-enumerate.js';
import { ppContextState, ppInvariants } from './page-protection-invariants.js';
import { ppVariants, type PpVariantConfig } from './page-protection-variants.js';
import { describePpOp, PP_DIRECT_KEYS, PP_OPERATIONS, PP_PARAMETERS, PP_PKEYS, ppWorkload, type PpWorkload } from './page-protection-workload.js';

/** DEVMAP_ACCESS_PROTECTION depends on !HIGHMEM: kmap and kmap_local return page_address(). */
const NO_HIGHMEM: KmapConfig = {
  HIGHMEM: false, DEBUG_KMAP_LOCAL: false, DEBUG_KMAP_LOCAL_FORCE_MAP: false, DEBUG_HIGHMEM: false,
  arch: 'x86', schedGuardOption: 'DEBUG_KMAP_LOCAL', guardTest: 'pte_val', loongarchCopy: false,
};

/** What the administrator's boot string means (the spec's reading, not the kernel's parser). */
export function intendedMode(param: string, modes: readonly Mode[]): Mode {
  return meaning(param, modes) ?? PKS_MODE_DEFAULT;
}

/** Boot: every CPU comes out of reset with PKRS 0 and a zero cache, and runs pks_setup(). */
function createPks(cfg: PksConfig, wl: PpWorkload, cpus: number): Pks {
  const mode = param_set_pks_fault_mode(cfg.param, PKS_MODE_DEFAULT, cfg.modes, cfg.parser).mode;
  const perCpu = <T>(v: T) => Array.from({ length: cpus }, () => v);
  const p: Pks = {
    cfg, mode, pkey: PP_PKEYS.slice(), msr: perCpu(0), pkrs_cache: perCpu(0),
    thread: {}, frames: Array.from({ length: cpus }, () => []), unprotect: PP_PKEYS.map(() => 0),
    pkrs_global: PKS_INIT_VALUE,
    tifWork: wl.tasks.flatMap((t, i) => (t.tif ? [taskName(i)] : [])), prev: perCpu(-1),
    mailbox: PP_PKEYS.map(() => 0), borrowed: PP_PKEYS.map(() => 0),
  };
  for (let cpu = 0; cpu < cpus; cpu++) pks_setup(bootCpu(p, cpu));
  return p;
}

/** identify_cpu() on `cpu` before the scheduler runs: only the PKS state and a throwaway counter. */
function bootCpu(p: Pks, cpu: number): PX {
  return { w: { k: { pks: p }, counters: {} }, cpu: () => cpu } as unknown as PX;
}

function createState(v: PpVariantConfig, wl: PpWorkload, cpus: number): PpState {
  const empty = () => PP_PKEYS.map(() => 0);
  return {
    cfg: NO_HIGHMEM, KM_INCR: 1, KM_MAX_IDX: KM_MAX_IDX(false), LAST_PKMAP: 1,
    highmem: PP_PKEYS.map(() => false), data: empty(), pkmap_count: [0], pkmap_page_table: [0],
    page_address: empty(), last_pkmap_nr: 0, kmap_pte: Array.from({ length: KM_MAX_IDX(false) * cpus }, () => 0),
    tlb: Array.from({ length: cpus }, () => ({})), kmap_ctrl: {}, inflight: {}, lastAccess: null,
    prot: pksKmapHooks(v.kernel.design), pks: createPks(v.kernel, wl, cpus),
  };
}

const taskName = (i: number) => String.fromCharCode(65 + i);
const keyText = (pkrs: number) => `k${PKS_KEY_PGMAP} ${pkrsAllowsWrite(pkrs, PKS_KEY_PGMAP) ? 'RW' : '--'}`;

const REFUSAL: Record<PpEvent['type'], string> = {
  KMAP: 'page-protection/api-use', KUNMAP: 'page-protection/api-use', KMAP_LOCAL: 'page-protection/api-use',
  KUNMAP_LOCAL: 'page-protection/api-use', IRQ_ENTER: 'page-protection/A-INV5-nested', IRQ_EXIT: 'page-protection/A-INV5-nested',
  FORK: 'page-protection/api-use', RETURN_TO_USER: 'page-protection/api-use', EXIT: 'page-protection/api-use', PKS_SET: 'page-protection/api-use',
  WRITE: 'page-protection/stray-write', FORGIVE: 'page-protection/fault-policy', PARAM: 'page-protection/A-INV9-mode',
  SCHED_OUT: 'page-protection/api-use', SCHED_IN: 'page-protection/api-use',
};

/**
 * The engine's hooks: the kernel's entry/exit and switch code, with the spec told about the
 * context (`unit` tells an irqentry frame from a softirq's own report of the same context).
 */
const hooks: Hooks<PpState, PpEvent> = {
  *prepare_task_switch(x: PX, prev: Task): Gen {
    x.emit({ type: 'SCHED_OUT', task: prev.id });
    yield* pks_sched_out(x, prev);
  },
  *finish_task_switch(x: PX, next: Task): Gen {
    yield* pks_sched_in(x, next);
    x.emit({ type: 'SCHED_IN', cpu: x.cpu() });
  },
  irq_enter(x: PX, kind: ContextKind) {
    x.emit({ type: 'IRQ_ENTER', task: x.current().id, unit: x.unit, irqentry: true });
    irqentry_enter(x, kind);
  },
  irq_exit(x: PX, kind: ContextKind) {
    irqentry_exit(x, kind);
    x.emit({ type: 'IRQ_EXIT', task: x.current().id, unit: x.unit, irqentry: true });
  },
};

/** An interrupt program reports its own start and end: the only report of a softirq run from local_bh_enable(). */
function* handler(x: PX, ops: readonly PpOp[]): Gen {
  x.emit({ type: 'IRQ_ENTER', task: x.current().id, unit: x.unit, irqentry: false });
  yield* runPpOps(x, ops);
  x.emit({ type: 'IRQ_EXIT', task: x.current().id, unit: x.unit, irqentry: false });
}

/** A task's program, and its exit reported on the CPU it leaves (do_task_dead() ends the step). */
function* task(x: PX, ops: readonly PpOp[]): Gen {
  yield* ppTask(x, ops);
  x.emit({ type: 'EXIT', task: x.current().id, cpu: x.cpu() });
}

export const pageProtectionProtocol = defineProtocol({
  name: 'page-protection',
  description: 'PKS stray-write protection of device pages: PKRS per CPU, per-task and per-exception saved values, kmap grants, #PF modes (every design from RFC to V10)',
  machine: pageProtectionMachine,
  variants: ppVariants,
  invariants: ppInvariants,
  workload: ({ cpus, ops, variant, kinds, params }) => ppWorkload(variant.config.shape, { cpus, ops, ...(kinds ? { kinds } : {}), ...(params ? { params } : {}) }),
  operations: [...PP_OPERATIONS],
  parameters: PP_PARAMETERS,
  enumerate: ppEnumerate,
  contextState: ppContextState,
  setup(wl: PpWorkload, variant, { cpus }) {
    const v = variant.config;
    const mode = intendedMode(v.kernel.param, v.kernel.modes);
    return {
      k: createState(v, wl, cpus),
      specInput: {
        pkey: PP_PKEYS, cpus, mode, forgive: v.claims.forgive, weakening: v.claims.weakening, runtimeModes: RUNTIME_MODES,
        direct: PP_DIRECT_KEYS, isolated: wl.isolated ? cpus - 1 : -1,
      },
      tasks: wl.tasks.map((t, i) => ({ name: taskName(i), cpu: t.cpu, run: (x: PX) => task(x, t.ops) })),
      irqs: wl.irqs.map((q, i) => ({ name: `irq${i}`, cpu: q.cpu, kind: q.kind, run: (x: PX) => handler(x, q.ops) })),
      hooks,
    };
  },
  refusal: (e: PpEvent) => (e.type === 'WRITE' && !e.ok ? 'page-protection/legit-never-dies' : REFUSAL[e.type]),
  observe(w: World<PpState>) {
    const k = w.k.pks;
    const o: Record<string, string | number> = { pkrs_global: keyText(k.pkrs_global) };
    k.msr.forEach((v, c) => { o[`cpu${c}.PKRS`] = `${hex(v)} (${keyText(v)})${k.pkrs_cache[c] !== v ? ` cache ${hex(k.pkrs_cache[c]!)}` : ''}`; });
    for (const t of w.tasks) {
      const th = k.thread[t.id];
      if (th) o[`${t.name}.thread`] = `pkrs ${keyText(th.pkrs)}, count ${th.count}`;
    }
    k.unprotect.forEach((n, p) => { if (k.pkey[p]) o[`p${p}.unprotect`] = n; });
    return o;
  },
  describe: (wl: PpWorkload) => [
    ...wl.tasks.map((t, i) => `task ${taskName(i)} (cpu${t.cpu}${t.tif ? ', TIF work' : ''}): ${t.ops.map(describePpOp).join('; ')}`),
    ...wl.irqs.map((q, i) => `${q.kind} irq${i} (cpu${q.cpu}): ${q.ops.map(describePpOp).join('; ')}`),
  ],
});
