/**
 * What user space and the environment do in a PASID workload: processes that open the device
 * (open + mmap of the portal), submit with ENQCMD, unmap and close, clone, fork, exec and exit,
 * optionally surviving SIGSEGV in a handler; kernel threads that borrow a process's mm;
 * interrupt handlers that use the FPU in the kernel. A process's user memory (the fds its threads
 * got and the portals they mapped) is in the World, per mm, shared by its threads, copied by fork,
 * reset by exec: a thread may submit through a portal a sibling mapped, or close a sibling's fd.
 * Abstraction: a thread closes and submits to the most recently opened fd and portal it sees.
 */
import type { Gen } from '../src/sim/thread.js';
import { count } from '../src/sim/world.js';
import { kernel_fpu_begin, kernel_fpu_end } from '../src/kernel/arch/x86/kernel/fpu/core.js';
import { idxd_cdev_mmap, idxd_cdev_open, munmap_portal } from '../src/kernel/drivers/dma/idxd/cdev.js';
import { close_fd } from '../src/kernel/fs/file.js';
import { syscall_enter, syscall_exit } from '../src/kernel/kernel/entry-common.js';
import { begin_new_exec } from '../src/kernel/kernel/exec.js';
import { do_exit } from '../src/kernel/kernel/exit.js';
import { copy_process } from '../src/kernel/kernel/fork.js';
import { ptask, type Held, type X } from '../src/kernel/mm/pasid-types.js';
import { enqcmd } from './pasid-enqcmd.js';

/** One user-space action; tuples keep replay tokens short. */
export type UserOp =
  | ['open'] | ['close'] | ['enqcmd'] | ['enqcmd-bad'] | ['exec'] | ['crypto']
  | ['clone', UserOp[]] | ['fork', UserOp[]];

export interface UserTask {
  ops: readonly UserOp[];
  /** a SIGSEGV handler that returns (past the faulting instruction): SIGSEGV is not fatal */
  handler: boolean;
}

/** The user memory of current's process. */
function memory(x: X): Held[] {
  const mm = ptask(x).mm;
  return (x.w.k.user[mm] ??= []);
}

/** A process's thread from its return to user mode until exit (or a fatal SIGSEGV). */
export function* userTask(x: X, task: UserTask): Gen {
  yield* syscall_exit(x);
  let children = 0;
  for (const op of task.ops) {
    // one user-visible operation: the denominator of `kcheck compare` costs
    count(x.w, 'ops');
    if (op[0] === 'enqcmd' || op[0] === 'enqcmd-bad') {
      const r = yield* enqcmd(x, { malformed: op[0] === 'enqcmd-bad', portal: memory(x).at(-1)?.portal ?? -1 });
      if (r === 'submitted') continue;
      if (!task.handler) break;
      // the handler ran on a signal frame and returns: rt_sigreturn()
      yield* syscall_enter(x, 'rt_sigreturn');
      yield* syscall_exit(x);
      continue;
    }
    yield* syscall_enter(x, op[0]);
    switch (op[0]) {
      case 'open': {
        const fd = yield* idxd_cdev_open(x, 0);
        if (fd < 0) break;
        yield* syscall_exit(x);
        yield* syscall_enter(x, 'mmap');
        const portal = yield* idxd_cdev_mmap(x, fd);
        memory(x).push({ fd, portal });
        break;
      }
      case 'close': {
        // read without a lock: a sibling may pick the same fd, and one of the closes is -EBADF
        const h = memory(x).at(-1);
        if (!h) break;
        if (h.portal >= 0) {
          yield* munmap_portal(x, h.portal);
          yield* syscall_exit(x);
          yield* syscall_enter(x, 'close');
        }
        yield* close_fd(x, h.fd);
        const mine = memory(x);
        const at = mine.findIndex((e) => e.fd === h.fd && e.portal === h.portal);
        if (at >= 0) mine.splice(at, 1);
        break;
      }
      case 'exec': {
        const before = memory(x);
        yield* begin_new_exec(x);
        // the new image knows the fds (no O_CLOEXEC) but none of the old mappings
        x.w.k.user[ptask(x).mm] = before.map((h) => ({ fd: h.fd, portal: -1 }));
        break;
      }
      case 'crypto': yield* cryptoSyscall(x); break;
      case 'clone':
      case 'fork': {
        const child: UserTask = { ops: op[1], handler: task.handler };
        const copy = memory(x).map((h) => ({ ...h }));
        const mm = yield* copy_process(x, op[0], `${x.current().name}.${++children}`, (c) => userTask(c, child));
        if (op[0] === 'fork') x.w.k.user[mm] = copy;
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
 * A system call that encrypts in the kernel: SIMD glue code walks its request in chunks, each
 * in its own kernel_fpu_begin() .. kernel_fpu_end() so that preemption is not held off for long
 * (arch/x86/crypto/chacha_glue.c: a 4K chunk per section). Two chunks.
 */
function* cryptoSyscall(x: X): Gen {
  yield* kernelFpuUser(x);
  yield* kernelFpuUser(x);
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
