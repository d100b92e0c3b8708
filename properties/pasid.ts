/**
 * The PASID protocol (pasid.md, seed 003): ENQCMD, IA32_PASID in the FPU state, lazy #GP fixup
 * versus eager IPI, and the PASID's lifetime. Ties the statechart, the kernel model, the
 * workloads and the invariants together.
 */
import { pasidMachine, type PasidEvent } from '../model/pasid.machine.js';
import { defineProtocol } from '../src/protocol.js';
import { irqentry_enter, irqentry_exit } from '../src/kernel/kernel/entry-common.js';
import { kthread_worker } from '../src/kernel/kernel/kthread.js';
import { finish_task_switch, prepare_task_switch } from '../src/kernel/kernel/sched/core.js';
import { INVALID, newMm, newTask, pasidStr, type PasidConfig, type PasidState, type X } from '../src/kernel/mm/pasid-types.js';
import type { World } from '../src/sim/world.js';
import { pasidInvariants } from './pasid-invariants.js';
import { describeOps, kernelFpuUser, recurringFpuIrq, userTask, type UserOp } from './pasid-programs.js';
import { shrinkPasidWorkload } from './pasid-shrink.js';
import { pasidVariants } from './pasid-variants.js';
import { OPERATIONS, PARAMETERS, pasidWorkload, type PasidWorkload } from './pasid-workload.js';
import { enumeratePasid } from './pasid-enumerate.js';
import { pasidContextState } from './pasid-coherence.js';

/** The IOASID space [1, 1 + pasids): two PASIDs by default, so a freed one is soon handed to another mm. */
const PASIDS = 2;
const DEVICES = 1;

const REFUSAL: Record<PasidEvent['type'], string> = {
  ALLOC: 'pasid/C-INV7-single-alloc',
  BIND: 'pasid/C-INV7-single-alloc',
  FREE: 'pasid/C-INV2-lifetime',
  UNBIND: 'pasid/C-INV2-lifetime',
  MM_FREE: 'pasid/C-INV2-lifetime',
  ACTIVATE: 'pasid/C-INV3-fixup',
  SUBMIT: 'pasid/C-INV1-tagging',
  FORK: 'pasid/C-INV5-inheritance',
  CLONE: 'pasid/C-INV5-inheritance',
  EXEC: 'pasid/C-INV5-inheritance',
  EXIT: 'pasid/C-INV5-inheritance',
};

const processName = (i: number) => String.fromCharCode(65 + i);

/** The programs that run from the start, in setup order: each process's first thread, then its other threads. */
function threadsOf(wl: PasidWorkload): { name: string; mm: number; cpu: number; ops: UserOp[]; handler: boolean }[] {
  return wl.tasks.flatMap((t, i) => [
    { name: processName(i), mm: i, cpu: t.cpu, ops: t.ops, handler: t.handler ?? false },
    ...(t.threads ?? []).map((u, j) => ({ name: `${processName(i)}${"'".repeat(j + 1)}`, mm: i, cpu: u.cpu, ops: u.ops, handler: t.handler ?? false })),
  ]);
}

function createState(cfg: PasidConfig, wl: PasidWorkload, cpus: number): PasidState {
  const threads = threadsOf(wl);
  // the other threads exist as if cloned (CLONE_VM | CLONE_FILES) before the run
  const users = (i: number) => 1 + (wl.tasks[i]!.threads?.length ?? 0);
  const k: PasidState = {
    cfg,
    cpus: Array.from({ length: cpus }, () => ({ msr: INVALID, owner: -1, in_kernel_fpu: false, loaded_mm: -1 })),
    tasks: {},
    mms: wl.tasks.map((_, i) => ({ ...newMm(cpus), mm_users: users(i) })),
    files: [],
    filesStructs: wl.tasks.map((_, i) => ({ users: users(i), fdt: [] })),
    ioasid: { min: 1, max: 1 + (wl.pasids ?? PASIDS), owner: {} },
    pasidTable: Array.from({ length: DEVICES }, () => ({})),
    observed: { received: [], segv: [] },
    user: {},
  };
  // engine ids: the idle tasks first (one per CPU), then the programs in setup order
  for (let c = 0; c < cpus; c++) newTask(k, c, { mm: -1, files: -1, kthread: true });
  threads.forEach((t, i) => newTask(k, cpus + i, { mm: t.mm, files: t.mm, kthread: false }));
  wl.kthreads.forEach((_, i) => newTask(k, cpus + threads.length + i, { mm: -1, files: -1, kthread: true }));
  // the engine starts the first program of each CPU on it without a switch: its mm is loaded
  const first = new Set<number>();
  for (const t of [...threads, ...wl.kthreads.map((q) => ({ ...q, mm: -1 }))]) {
    const cpu = t.cpu % cpus;
    if (first.has(cpu)) continue;
    first.add(cpu);
    if (t.mm < 0) continue;
    k.cpus[cpu]!.loaded_mm = t.mm;
    k.mms[t.mm]!.mm_cpumask[cpu] = true;
  }
  return k;
}

export const pasidProtocol = defineProtocol({
  name: 'pasid',
  description: 'PASID propagation to IA32_PASID for ENQCMD: lazy #GP fixup vs eager IPI, FPU-state coherence, PASID lifetime',
  machine: pasidMachine,
  variants: pasidVariants,
  invariants: pasidInvariants,
  workload: pasidWorkload,
  operations: [...OPERATIONS],
  parameters: PARAMETERS,
  enumerate: enumeratePasid,
  setup(wl: PasidWorkload, variant, { cpus }) {
    return {
      k: createState(variant.config, wl, cpus),
      specInput: undefined,
      tasks: [
        ...threadsOf(wl).map((t) => ({ name: t.name, cpu: t.cpu, run: (x: X) => userTask(x, { ops: t.ops, handler: t.handler }) })),
        ...wl.kthreads.map((t, i) => ({ name: `kworker${i}`, cpu: t.cpu, run: (x: X) => kthread_worker(x, t.mm) })),
      ],
      irqs: wl.irqs.map((q, i) => ({ name: `fpu-irq${i}`, cpu: q.cpu, kind: q.kind, run: q.kind === 'hardirq' ? recurringFpuIrq(`fpu-irq${i}`, q.times) : kernelFpuUser })),
      hooks: {
        prepare_task_switch,
        finish_task_switch,
        irq_enter: (x, kind) => irqentry_enter(x, kind === 'exception'),
        irq_exit: (x) => irqentry_exit(x),
      },
    };
  },
  shrinkWorkload: shrinkPasidWorkload,
  contextState: pasidContextState,
  refusal: (e: PasidEvent) => REFUSAL[e.type],
  observe(w: World<PasidState>) {
    const k = w.k;
    const o: Record<string, string | number | boolean> = {};
    k.cpus.forEach((c, i) => {
      o[`cpu${i}.IA32_PASID`] = pasidStr(c.msr);
      o[`cpu${i}.fpregs_owner`] = c.owner < 0 ? '-' : w.tasks[c.owner]?.name ?? c.owner;
      o[`cpu${i}.in_kernel_fpu`] = c.in_kernel_fpu;
    });
    for (const task of w.tasks) {
      const t = k.tasks[task.id];
      if (!t || task.idle) continue;
      o[`${task.name}.mm`] = t.mm;
      if (t.kthread) continue;
      o[`${task.name}.xstate[PASID]`] = pasidStr(t.fpu.image);
      o[`${task.name}.TIF_NEED_FPU_LOAD`] = t.TIF_NEED_FPU_LOAD;
      o[`${task.name}.pasid_activated`] = t.activated;
      o[`${task.name}.user_mode`] = t.inUser;
    }
    k.mms.forEach((m, i) => {
      o[`mm${i}.pasid`] = pasidStr(m.pasid);
      o[`mm${i}.users/count`] = `${m.mm_users}/${m.mm_count}${m.freed ? ' freed' : ''}`;
      o[`mm${i}.portals`] = m.portals.length;
      o[`mm${i}.cpumask`] = m.mm_cpumask.map((b, c) => (b ? c : '')).join('') || '-';
    });
    o['ioasid'] = Object.entries(k.ioasid.owner).map(([p, v]) => `${p}:mm${v.mm}`).join(' ') || '-';
    k.pasidTable.forEach((t, d) => { o[`dev${d}.pasid_table`] = Object.entries(t).map(([p, e]) => `${p}→mm${e.mm}`).join(' ') || '-'; });
    return o;
  },
  describe: (wl: PasidWorkload) => [
    ...threadsOf(wl).map((t) => `${t.name === processName(t.mm) ? 'process' : 'thread'} ${t.name} (mm${t.mm}, cpu${t.cpu}${t.handler ? ', SIGSEGV handler' : ''}): ${describeOps(t.ops)}; exit`),
    ...(wl.pasids !== undefined && wl.pasids !== PASIDS ? [`IOASID space: ${wl.pasids} PASID${wl.pasids === 1 ? '' : 's'}`] : []),
    ...wl.kthreads.map((t, i) => `kworker${i} (cpu${t.cpu}): kthread_use_mm(mm${t.mm}) … kthread_unuse_mm()`),
    ...wl.irqs.map((q, i) => `${q.kind} fpu-irq${i} (cpu${q.cpu}): kernel_fpu_begin() … kernel_fpu_end()${q.kind === 'hardirq' && q.times > 1 ? `, ${q.times} times` : ''}`),
  ],
});
