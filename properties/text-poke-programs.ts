/**
 * What user space, kernel threads and devices do in a text-poke workload. Callers report to the
 * spec what they ask for and when it returns (a poke of some text frames with some bytes; an
 * unmapping of their page), which is what the invariants hold the machine to.
 */
import type { Gen } from '../src/sim/thread.js';
import { count } from '../src/sim/world.js';
import { enter_from_user_mode, exit_to_user_mode } from '../src/kernel/arch/x86/entry/calling.js';
import { mmu_write } from '../src/kernel/arch/x86/include/asm/tlbflush.js';
import { hw_breakpoint_sched_in } from '../src/kernel/arch/x86/kernel/hw_breakpoint.js';
import { arch_jump_label_transform } from '../src/kernel/arch/x86/kernel/jump_label.js';
import { exit_mm } from '../src/kernel/kernel/exit-mm.js';
import { do_anonymous_page } from '../src/kernel/mm/memory.js';
import { __do_munmap } from '../src/kernel/mm/mmap.js';
import { try_to_unmap, try_to_unmap_flush } from '../src/kernel/mm/rmap.js';
import { PAGE_SIZE, TEXT_PFNS, ttask, type X } from '../src/kernel/mm/text-poke-types.js';
import type { KthreadOp, Poke, UserOp } from './text-poke-workload.js';

/** The bytes of a poke: unique per program and operation, so a misplaced write names its poke. */
const bytesOf = (prog: number, seq: number) => 1000 * (prog + 1) + seq;

function* poke(x: X, op: Poke, value: number): Gen {
  const pfns = op[2] ? [TEXT_PFNS[op[1]]!, TEXT_PFNS[op[1] + 1]!] : [TEXT_PFNS[op[1]]!];
  const task = x.current().id;
  x.emit({ type: 'POKE_BEGIN', task, pfns, value });
  yield* arch_jump_label_transform(x, pfns, value);
  x.emit({ type: 'POKE_END', task });
}

/** The user address of page `page` of a process: poking_addr, or the page after it. */
const userVa = (x: X, page: number) => x.w.k.poking_addr + page * PAGE_SIZE;

/** A user store to one of the process's pages; a missing PTE faults one in. */
function* userStore(x: X, mm: number, va: number, value: number): Gen {
  const who = x.current().name;
  // the CPU re-executes a faulting store until it completes
  for (let retry = ''; ; retry = ' (retried)') {
    yield { fn: 'user', what: `store to 0x${va.toString(16)}${retry}` };
    if (mmu_write(x, who, va, value, { kernel: false }) >= 0) return;
    yield* enter_from_user_mode(x, '#PF: handle_mm_fault()');
    do_anonymous_page(x, mm, va);
    yield* exit_to_user_mode(x);
  }
}

/** A thread of process `mm` (program index `prog`): its ops in user mode and syscalls, then exit. */
export function* userThread(x: X, prog: number, mm: number, ops: readonly UserOp[]): Gen {
  yield* exit_to_user_mode(x);
  for (const [i, op] of ops.entries()) {
    // one user-visible operation: the denominator of `kcheck compare` costs
    count(x.w, 'ops');
    if (op[0] === 'store') {
      yield* userStore(x, mm, userVa(x, op[1]), 10_000 * (prog + 1) + i);
      continue;
    }
    yield* enter_from_user_mode(x, op[0] === 'poke' ? 'init_module(): static key' : op[0]);
    const task = x.current().id;
    if (op[0] === 'poke') yield* poke(x, op, bytesOf(prog, i));
    else if (op[0] === 'watch') {
      yield { fn: 'ptrace', what: `PTRACE_POKEUSER DR7: watch 0x${x.w.k.poking_addr.toString(16)}` };
      ttask(x.w.k, task).watch = true;
      hw_breakpoint_sched_in(x, true);
    } else {
      const va = userVa(x, op[1]);
      x.emit({ type: 'UNMAP_BEGIN', task, mm, va });
      yield* __do_munmap(x, mm, va);
      x.emit({ type: 'UNMAP_END', task });
    }
    yield* exit_to_user_mode(x);
  }
  yield* enter_from_user_mode(x, 'exit_group()');
  yield* exit_mm(x);
}

/** A kernel thread (kworker poking a static key, kswapd reclaiming one of a process's pages). */
export function* kthreadTask(x: X, prog: number, ops: readonly KthreadOp[], mmOf: (proc: number) => number): Gen {
  const batch = x.w.k.cpus.map(() => false);
  for (const [i, op] of ops.entries()) {
    count(x.w, 'ops');
    if (op[0] === 'poke') {
      yield* poke(x, op, bytesOf(prog, i));
      continue;
    }
    const task = x.current().id;
    const mm = mmOf(op[1]);
    const va = userVa(x, op[2]);
    x.emit({ type: 'UNMAP_BEGIN', task, mm, va });
    yield* try_to_unmap(x, mm, va, batch);
    yield* try_to_unmap_flush(x, batch);
    x.emit({ type: 'UNMAP_END', task });
  }
}

/** A device interrupt: kernel work on whatever mm is loaded; each occurrence raises the next. */
export function deviceIrq(name: string, times: number): (x: X) => Gen {
  return function* irq(x: X): Gen {
    yield { fn: 'handle_irq', what: `${name}: device work` };
    if (times > 1) x.ipi(x.cpu(), name, deviceIrq(name, times - 1));
  };
}

export function describeOps(ops: readonly (UserOp | KthreadOp)[]): string {
  const one = (op: UserOp | KthreadOp) => {
    if (op[0] === 'poke') return `poke(p${TEXT_PFNS[op[1]]}${op[2] ? `+p${TEXT_PFNS[op[1] + 1]}` : ''})`;
    if (op[0] === 'reclaim') return `reclaim(proc ${op[1]}${op[2] === 0 ? '' : `, poking_addr + page ${op[2]}`})`;
    if (op[0] === 'store' || op[0] === 'munmap') return op[1] === 0 ? op[0] : `${op[0]}(poking_addr + page ${op[1]})`;
    return op[0];
  };
  return ops.map(one).join('; ') || '(nothing)';
}
