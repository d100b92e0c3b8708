/**
 * K1, the peer model of ../../../shared/peers/spin/k1_kmap_unprotect.pml as a kcheck protocol,
 * step for step: N threads (one per CPU) each run M iterations of kmap(p); access(p); kunmap(p)
 * on a page guarded by tglx's per-page `unprotect` count (PKS RELAXED); a context switch that
 * resets a thread's PKRS is an environment action, enabled while the thread's key is granted.
 * One Promela d_step is one kcheck step. The buggy variant splits kmap and kunmap into a load and
 * a store (the lost update). Threads keep every variable in the World (restartable), as SPIN
 * keeps them in the state vector.
 */
import { setup } from 'xstate';
import { defineInvariant, defineProtocol, type Protocol } from '../../src/protocol.js';
import type { Exec, Gen } from '../../src/sim/thread.js';

export interface K1Workload { n: number; m: number }

interface Thread { pc: 'top' | 'store-map' | 'access' | 'unmap' | 'store-unmap' | 'end'; i: number; dead: boolean; tmp: number }
export interface K1State {
  m: number;
  buggy: boolean;
  /** page->unprotect */
  unprotect: number;
  /** ghost: threads between kmap and kunmap */
  nheld: number;
  /** per thread: PKRS grants the key */
  pkrs: boolean[];
  nfinished: number;
  /** ghost: a kmap holder was killed (I2) */
  killed: boolean;
  th: Thread[];
}

type X = Exec<K1State, never>;

function* thread(x: X, t: number): Gen {
  const k = x.w.k;
  const s = k.th[t]!;
  switch (s.pc) {
    case 'top':
      if (s.i >= k.m) {
        yield { fn: 'exit', what: 'nfinished++' };
        k.nfinished++;
        s.pc = 'end';
        return;
      }
      yield { fn: 'kmap', what: k.buggy ? 'tmp = unprotect' : 'unprotect++' };
      if (k.buggy) {
        s.tmp = k.unprotect;
        s.pc = 'store-map';
      } else {
        k.unprotect++;
        k.nheld++;
        s.pc = 'access';
      }
      return;
    case 'store-map':
      yield { fn: 'kmap', what: 'unprotect = tmp + 1' };
      k.unprotect = s.tmp + 1;
      s.tmp = 0;
      k.nheld++;
      s.pc = 'access';
      return;
    case 'access':
      yield { fn: 'access', what: 'write p' };
      if (!k.pkrs[t]) {
        // PKS #PF: kill unless the page is kmap()ed somewhere (then temporary_unprotect)
        if (k.unprotect === 0) {
          k.killed = true;
          s.dead = true;
        } else k.pkrs[t] = true;
      }
      s.pc = 'unmap';
      return;
    case 'unmap':
      yield { fn: 'kunmap', what: k.buggy ? 'tmp = unprotect' : 'unprotect--', until: () => !s.dead };
      if (k.buggy) {
        s.tmp = k.unprotect;
        s.pc = 'store-unmap';
      } else {
        k.unprotect--;
        k.nheld--;
        s.i++;
        s.pc = 'top';
      }
      return;
    case 'store-unmap':
      yield { fn: 'kunmap', what: 'unprotect = tmp - 1' };
      k.unprotect = s.tmp - 1;
      s.tmp = 0;
      k.nheld--;
      s.i++;
      s.pc = 'top';
      return;
    case 'end':
  }
}

/** No spec events: the model's checks are its three assertions, as invariants. */
const noSpec = setup({}).createMachine({ id: 'k1', initial: 'running', states: { running: {} } });

export const k1Protocol: Protocol<K1State, never, K1Workload> = defineProtocol({
  name: 'peer-k1',
  description: 'K1: a per-page kmap unprotect refcount with PKRS reset on context switch (SPIN peer model)',
  machine: noSpec,
  restartable: true,
  variants: [
    { name: 'correct', buggy: false, description: 'kmap/kunmap are one atomic read-modify-write step each', source: 'shared/peers/spin/k1_kmap_unprotect.pml', config: { buggy: false } },
    { name: 'buggy', buggy: true, description: 'kmap/kunmap load and store in two steps (lost update)', source: 'k1_kmap_unprotect.pml -DBUGGY', expect: 'peer-k1/I1-count', alsoCaughtBy: ['peer-k1/I2-holder-alive', 'peer-k1/I3-final'], config: { buggy: true } },
  ],
  invariants: [
    defineInvariant<K1State>({ name: 'peer-k1/I1-count', description: 'unprotect equals the number of threads between kmap and kunmap', check: (w) => (w.k.unprotect !== w.k.nheld ? `unprotect = ${w.k.unprotect} with ${w.k.nheld} holder(s)` : null) }),
    defineInvariant<K1State>({ name: 'peer-k1/I2-holder-alive', description: 'no thread between kmap and kunmap dies', check: (w) => (w.k.killed ? 'a kmap holder was killed' : null) }),
    defineInvariant<K1State>({ name: 'peer-k1/I3-final', description: 'once every thread finished, unprotect is 0', check: (w) => (w.k.nfinished === w.k.th.length && w.k.unprotect !== 0 ? `unprotect = ${w.k.unprotect} at the end` : null) }),
  ],
  workload: () => { throw new Error('peer-k1 runs fixed sizes: use enumerate'); },
  enumerate: ({ params }) => [{ n: params?.['n'] ?? 2, m: params?.['m'] ?? 1 }],
  setup: (wl, variant) => ({
    k: {
      m: wl.m, buggy: (variant.config as { buggy: boolean }).buggy, unprotect: 0, nheld: 0, nfinished: 0, killed: false,
      pkrs: Array.from({ length: wl.n }, () => false),
      th: Array.from({ length: wl.n }, () => ({ pc: 'top' as const, i: 0, dead: false, tmp: 0 })),
    },
    tasks: Array.from({ length: wl.n }, (_, t) => ({ name: `T${t}`, cpu: t, run: (x: X) => thread(x, t) })),
    irqs: [], hooks: {}, specInput: undefined,
  }),
  // ctxsw(t): switched out and back in, the thread's PKRS is reset to deny
  environment: (w) => w.k.pkrs.flatMap((granted, t) => (granted ? [{ cpu: t, fn: 'ctxsw', what: `pkrs[${t}] = deny`, run: (x: X) => { x.w.k.pkrs[t] = false; } }] : [])),
  refusal: () => 'peer-k1/none',
}) as Protocol<K1State, never, K1Workload>;
