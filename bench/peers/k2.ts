/**
 * K2, the peer model of ../../../shared/peers/spin/k2_pasid_fixup.pml as a kcheck protocol, step
 * for step: N user threads (one per CPU) each make M ENQCMD attempts; the #GP fixup writes
 * IA32_PASID (the register only); an interrupt using the FPU (an environment action, enabled
 * while the thread is in the kernel with irqs on and its registers loaded) forces the XRSTOR of
 * the stale xsave image on the way back to user mode; one binder allocates the mm's PASID once.
 * One Promela d_step is one kcheck step. The buggy variant enables irqs on #GP entry, before the
 * fixup. Threads keep every variable in the World (restartable).
 */
import { setup } from 'xstate';
import { defineInvariant, defineProtocol, type Protocol } from '../../src/protocol.js';
import type { Exec, Gen } from '../../src/sim/thread.js';

export interface K2Workload { n: number; m: number }

const INVALID = 0;
const P = 1;

interface User { pc: 'top' | 'fixup' | 'ret-segv' | 'ret-retry' | 'end'; i: number }
export interface K2State {
  m: number;
  buggy: boolean;
  mm_pasid: number;
  msr: number[];
  xsave_img: number[];
  need_fpu_load: boolean[];
  activated: boolean[];
  in_kernel: boolean[];
  irq_on: boolean[];
  /** binder: PASID published */
  bound: boolean;
  /** descriptors submitted (statistics, part of SPIN's state vector as well) */
  nsubmitted: number;
  u: User[];
}

/** What the device and the signal code see, reported to the spec (which keeps no state of them). */
type K2Event = { type: 'SUBMIT'; tag: number; mmPasid: number } | { type: 'SEGV'; mmPasid: number };
type X = Exec<K2State, K2Event>;

/** Return to user: irqs off, XRSTOR if TIF_NEED_FPU_LOAD, leave the kernel. */
function returnToUser(k: K2State, t: number): void {
  k.irq_on[t] = false;
  if (k.need_fpu_load[t]) {
    k.msr[t] = k.xsave_img[t]!;
    k.need_fpu_load[t] = false;
  }
  k.in_kernel[t] = false;
}

function* user(x: X, t: number): Gen {
  const k = x.w.k;
  const s = k.u[t]!;
  switch (s.pc) {
    case 'top':
      if (s.i >= k.m) {
        yield { fn: 'exit', what: 'done' };
        s.pc = 'end';
      } else if (k.msr[t] !== INVALID) {
        yield { fn: 'enqcmd', what: 'ENQCMD: submit' };
        x.emit({ type: 'SUBMIT', tag: k.msr[t]!, mmPasid: k.mm_pasid });
        k.nsubmitted++;
        s.i++;
      } else {
        yield { fn: 'enqcmd', what: 'ENQCMD: #GP' };
        k.in_kernel[t] = true;
        k.irq_on[t] = k.buggy;
        s.pc = 'fixup';
      }
      return;
    case 'fixup':
      yield { fn: 'try_fixup_enqcmd_gp', what: 'read mm->pasid' };
      if (k.mm_pasid === INVALID || k.activated[t]) {
        x.emit({ type: 'SEGV', mmPasid: k.mm_pasid });
        k.irq_on[t] = true;
        s.pc = 'ret-segv';
      } else {
        k.msr[t] = k.mm_pasid;
        k.activated[t] = true;
        s.pc = 'ret-retry';
      }
      return;
    case 'ret-segv':
      yield { fn: 'exit_to_user_mode', what: 'SIGSEGV delivered; the program catches it' };
      returnToUser(k, t);
      s.i++;
      s.pc = 'top';
      return;
    case 'ret-retry':
      yield { fn: 'exit_to_user_mode', what: 'retry ENQCMD' };
      returnToUser(k, t);
      s.pc = 'top';
      return;
    case 'end':
  }
}

function* binder(x: X): Gen {
  if (x.w.k.bound) return;
  yield { fn: 'binder', what: 'mm->pasid = P' };
  x.w.k.mm_pasid = P;
  x.w.k.bound = true;
}

/**
 * J1 and J2 as the spec's guards: a descriptor's tag is the mm's PASID; a SIGSEGV from ENQCMD
 * only while the mm has no PASID. The machine keeps no state, so it adds none to the search.
 */
const spec = setup({ types: { events: {} as K2Event } }).createMachine({
  id: 'k2', initial: 'running',
  states: {
    running: {
      on: {
        SUBMIT: { target: 'running', guard: ({ event }) => event.tag === event.mmPasid },
        SEGV: { target: 'running', guard: ({ event }) => event.mmPasid === INVALID },
      },
    },
  },
});

export const k2Protocol: Protocol<K2State, K2Event, K2Workload> = defineProtocol({
  name: 'peer-k2',
  description: 'K2: the PASID #GP fixup against an interrupt using the FPU (SPIN peer model)',
  machine: spec,
  restartable: true,
  variants: [
    { name: 'correct', buggy: false, description: 'the fixup runs with irqs off and returns to user with them off (5.18)', source: 'shared/peers/spin/k2_pasid_fixup.pml', config: { buggy: false } },
    { name: 'buggy', buggy: true, description: 'irqs enabled on #GP entry, before the fixup', source: 'k2_pasid_fixup.pml -DBUGGY', expect: 'peer-k2/J2-no-segv', config: { buggy: true } },
  ],
  invariants: [
    defineInvariant({ name: 'peer-k2/J1-tagged', description: "a submitted descriptor carries the mm's PASID (the spec refuses SUBMIT otherwise)" }),
    defineInvariant({ name: 'peer-k2/J2-no-segv', description: 'no SIGSEGV from ENQCMD once mm->pasid is valid (the spec refuses SEGV otherwise)' }),
  ],
  workload: () => { throw new Error('peer-k2 runs fixed sizes: use enumerate'); },
  enumerate: ({ params }) => [{ n: params?.['n'] ?? 2, m: params?.['m'] ?? 1 }],
  setup: (wl, variant) => {
    const per = <T>(v: T) => Array.from({ length: wl.n }, () => v);
    return {
      k: {
        m: wl.m, buggy: (variant.config as { buggy: boolean }).buggy, mm_pasid: INVALID, msr: per(INVALID), xsave_img: per(INVALID),
        need_fpu_load: per(false), activated: per(false), in_kernel: per(false), irq_on: per(false), bound: false, nsubmitted: 0,
        u: Array.from({ length: wl.n }, () => ({ pc: 'top' as const, i: 0 })),
      },
      tasks: [
        ...Array.from({ length: wl.n }, (_, t) => ({ name: `T${t}`, cpu: t, run: (x: X) => user(x, t) })),
        { name: 'binder', cpu: wl.n, run: binder },
      ],
      irqs: [], hooks: {}, specInput: undefined,
    };
  },
  // irq(t): an interrupt on CPU t runs kernel_fpu_begin(): TIF_NEED_FPU_LOAD
  environment: (w) => w.k.in_kernel.flatMap((inK, t) => (inK && w.k.irq_on[t] && !w.k.need_fpu_load[t]
    ? [{ cpu: t, fn: 'kernel_fpu_begin', what: `irq on cpu${t}: TIF_NEED_FPU_LOAD`, run: (x: X) => { x.w.k.need_fpu_load[t] = true; } }] : [])),
  refusal: (e: K2Event) => (e.type === 'SUBMIT' ? 'peer-k2/J1-tagged' : 'peer-k2/J2-no-segv'),
}) as Protocol<K2State, K2Event, K2Workload>;
