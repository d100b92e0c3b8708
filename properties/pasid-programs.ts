/**
 * What user space and the environment do in a PASID workload: processes that open the device
 * (bind + portal), submit with ENQCMD, close, clone, fork, exec and exit; kernel threads that
 * borrow a process's mm; interrupt handlers that use the FPU in the kernel.
 */
import type { Gen } from '../src/sim/thread.js';
import { count } from '../src/sim/world.js';
import { kernel_fpu_begin, kernel_fpu_end } from '../src/kernel/arch/x86/kernel/fpu/core.js';
import { idxd_cdev_open, idxd_close } from '../src/kernel/drivers/dma/idxd/cdev.js';
import { enqcmd } from '../src/kernel/drivers/dma/idxd/portal.js';
import { syscall_enter, syscall_exit } from '../src/kernel/kernel/entry-common.js';
import { begin_new_exec } from '../src/kernel/kernel/exec.js';
import { do_exit } from '../src/kernel/kernel/exit.js';
import { copy_process } from '../src/kernel/kernel/fork.js';
import type { X } from '../src/kernel/mm/pasid-types.js';

/** One user-space action; tuples keep replay tokens short. */
export type UserOp =
  | ['open'] | ['close'] | ['enqcmd'] | ['enqcmd-bad'] | ['exec'] | ['crypto']
  | ['clone', UserOp[]] | ['fork', UserOp[]];

function hasPortal(x: X): boolean {
  const k = x.w.k;
  return k.mms[k.tasks[x.current().id]!.mm]!.portals.length > 0;
}

/** A process's thread from its return to user mode until exit (or SIGSEGV). */
export function* userTask(x: X, ops: readonly UserOp[]): Gen {
  yield* syscall_exit(x);
  let children = 0;
  for (const op of ops) {
    // one user-visible operation: the denominator of `kcheck compare` costs
    count(x.w, 'ops');
    if (op[0] === 'enqcmd' || op[0] === 'enqcmd-bad') {
      // user space submits only through a portal it believes mapped; a sibling may unmap it
      // concurrently, which ENQCMD then meets as a #PF
      if (!hasPortal(x)) continue;
      if ((yield* enqcmd(x, op[0] === 'enqcmd-bad')) === 'sigsegv') break;
      continue;
    }
    yield* syscall_enter(x, op[0]);
    switch (op[0]) {
      case 'open': yield* idxd_cdev_open(x, 0); break;
      case 'close': yield* idxd_close(x); break;
      case 'exec': yield* begin_new_exec(x); break;
      case 'crypto': yield* kernelFpuUser(x); break;
      case 'clone':
      case 'fork': {
        const sub = op[1];
        yield* copy_process(x, op[0], `${x.current().name}.${++children}`, (c) => userTask(c, sub));
        break;
      }
    }
    yield* syscall_exit(x);
  }
  yield* syscall_enter(x, 'exit');
  yield* do_exit(x);
}

/** Kernel code using the FPU (crypto, RAID): kernel_fpu_begin() ... kernel_fpu_end(). */
export function* kernelFpuUser(x: X): Gen {
  if (yield* kernel_fpu_begin(x)) yield* kernel_fpu_end(x);
}

/**
 * A device interrupt that uses the FPU and recurs: each occurrence raises the next one on the
 * same CPU, so an interrupt can arrive late in a run as well as early.
 */
export function recurringFpuIrq(name: string, times: number): (x: X) => Gen {
  return function* irq(x: X): Gen {
    yield* kernelFpuUser(x);
    if (times > 1) x.ipi(x.cpu(), name, recurringFpuIrq(name, times - 1));
  };
}

export function describeOps(ops: readonly UserOp[]): string {
  return ops.map((op) => (op.length === 2 ? `${op[0]}{${describeOps(op[1])}}` : op[0])).join('; ');
}
