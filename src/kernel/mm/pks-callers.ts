/**
 * Callers of protected device memory, shaped after what the threads name (seed 001, Ira and tglx
 * <873602redz.fsf@nanos.tec.linutronix.de>): kmap and kmap_local sections writing the page, the
 * nesting `kmap(); kmap_local_page(); kunmap(); kunmap_local();`, a kmap() address handed to
 * another context, kunmap() in another context, and stray writes through the linear map by code
 * that holds no grant. A second PKS user grants its own key directly with pks_set_readwrite()/
 * pks_set_noaccess() around its accesses (as lib/pks/pks_test.c does with PKS_KEY_TEST, V9/V10).
 * Bottom-half-disabled regions (local_bh_disable() ... local_bh_enable()) let pending softirqs
 * run from local_bh_enable() on the task's stack, without an irqentry.
 * The kmap family itself is mm/highmem.c's, reused. These are callers, not kernel functions: the
 * spec events for API use a driver makes (PKS_SET, PARAM) are emitted here.
 */
import { count } from '../../sim/world.js';
import { local_bh_disable, local_bh_enable, type Gen } from '../../sim/thread.js';
import { pks, type Pks, type PX } from '../arch/x86/include/asm/pks.js';
import { pks_write, type Borrow } from '../arch/x86/mm/fault.js';
import { pks_set_noaccess, pks_set_readwrite } from '../arch/x86/mm/pkeys.js';
import { pks_copy_thread, pks_task_dead } from '../arch/x86/kernel/process.js';
import { exit_to_user_mode, fork, kmap_local_page, kunmap_local } from './highmem-local.js';
import { kmap, kunmap } from './highmem.js';
import type { X } from './kmap-types.js';
import { param_set_pks_fault_mode, RUNTIME_MODES } from './memremap-param.js';

export type PpOp =
  | ['kmap', number] | ['kunmap', number]
  | ['local', number] | ['unlocal', number]
  /** write through the address this context holds for the page */
  | ['write', number]
  /** write through the linear map by code that holds no grant */
  | ['stray', number]
  /** kmap() and publish the address; write through a published one; kunmap a published one */
  | ['give', number] | ['use', number] | ['take', number]
  /** pks_set_readwrite(key) / pks_set_noaccess(key) by a user of its own key */
  | ['set', number] | ['clear', number]
  /** local_bh_disable() / local_bh_enable() */
  | ['bh_disable'] | ['bh_enable']
  | ['fork'] | ['user']
  /** echo <value> > /sys/module/memremap/parameters/pks_fault_mode */
  | ['param', string];

const asX = (x: PX) => x as unknown as X;

export function* runPpOps(x: PX, ops: readonly PpOp[]): Gen {
  const held = new Map<string, number>();
  const p = pks(x);
  for (const op of ops) {
    count(x.w, 'ops');
    switch (op[0]) {
      case 'kmap': held.set(`k${op[1]}`, yield* kmap(asX(x), op[1])); break;
      case 'kunmap': yield* kunmap(asX(x), op[1]); break;
      case 'local': held.set(`l${op[1]}`, yield* kmap_local_page(asX(x), op[1])); break;
      case 'unlocal': yield* kunmap_local(asX(x), held.get(`l${op[1]}`)!, op[1]); break;
      case 'write': yield* pks_write(x, op[1], 'map', 'memcpy_to_page'); break;
      case 'stray': yield* pks_write(x, op[1], 'stray', 'stray write'); break;
      case 'give':
        yield* kmap(asX(x), op[1]);
        p.mailbox[op[1]]!++;
        break;
      case 'use': yield* pks_write(x, op[1], 'map', 'memcpy (borrowed kmap address)', borrow(p, op[1])); break;
      case 'take': yield* take(x, op[1], 'take a published kmap() address'); break;
      case 'fork': {
        yield* fork(asX(x), (c) => forkedChild(c as unknown as PX));
        pks_copy_thread(x, x.current(), x.w.tasks.at(-1)!);
        break;
      }
      case 'user': yield* exit_to_user_mode(asX(x)); break;
      case 'set':
      case 'clear': {
        const open = op[0] === 'set';
        yield { fn: open ? 'pks_set_readwrite' : 'pks_set_noaccess', what: `key ${op[1]}` };
        if (open) pks_set_readwrite(x, op[1]);
        else pks_set_noaccess(x, op[1]);
        x.emit({ type: 'PKS_SET', task: x.current().id, key: op[1], open });
        break;
      }
      case 'bh_disable':
        yield { fn: 'local_bh_disable', what: 'softirqs wait until local_bh_enable()' };
        local_bh_disable(x);
        break;
      case 'bh_enable': yield* local_bh_enable(x, 'local_bh_enable'); break;
      case 'param':
        yield { fn: 'param_set_pks_fault_mode', what: `write ${JSON.stringify(op[1])}` };
        p.mode = param_set_pks_fault_mode(op[1], p.mode, RUNTIME_MODES, p.cfg.parser).mode;
        x.emit({ type: 'PARAM', value: op[1] });
        break;
    }
  }
}

/** Writing through a published address keeps its owner from kunmap()ping it meanwhile. */
function borrow(p: Pks, page: number): Borrow {
  return {
    take() {
      if (p.mailbox[page]! === 0) return false;
      p.borrowed[page]!++;
      return true;
    },
    release() { p.borrowed[page]!--; },
  };
}

/**
 * kunmap() of a published address once nobody writes through it. A task waits for that; an
 * interrupt cannot wait for the context it interrupted, so it leaves the address alone.
 */
function* take(x: PX, page: number, what: string): Gen {
  const p = pks(x);
  const irq = x.cpuState().ctx.length > 1;
  yield { fn: 'kunmap', what: `${what} of p${page}`, ...(irq ? {} : { until: () => p.borrowed[page] === 0 }) };
  if (p.mailbox[page]! === 0 || p.borrowed[page]! > 0) return;
  p.mailbox[page]!--;
  yield* kunmap(asX(x), page);
}

/** The child returns to user mode and exits (through the last switch away from it). */
function* forkedChild(x: PX): Gen {
  yield* exit_to_user_mode(asX(x));
  yield* pks_task_dead(x);
}

/** A task: its operations, taking back what it published and nobody took, then do_exit(). */
export function* ppTask(x: PX, ops: readonly PpOp[]): Gen {
  yield* runPpOps(x, ops);
  for (const op of ops) {
    if (op[0] === 'give') yield* take(x, op[1], 'take back the kmap() address');
  }
  yield* pks_task_dead(x);
}
