/**
 * Survivors judged by reading the mutant against the kernel source, the workloads and the
 * invariants:
 * - 'equivalent': no run of any variant, correct or buggy, can tell the mutant from the model (the reason says why);
 * - 'gap': a real difference the checks miss (the reason says which workload or invariant would catch it);
 * - 'unreached': code no correct variant runs (a configuration left out, or a buggy variant's toggle
 *   whose bug the mutant leaves caught as expected), so nothing tells it apart.
 * Equivalent survivors leave the score's denominator; gaps and unreached ones stay in it. (A
 * 'catalogued' verdict, "the toggle's own code, killed by its variant's test", is gone: the
 * campaign now runs the buggy variants and records what they kill.)
 * Keyed by mutantKey (protocol, file, kind, mutation, start of the original line): a judgment holds for one
 * protocol's variants, and survives unrelated edits.
 */
import { mutantKey } from './results.js';

export interface Judgment { verdict: 'equivalent' | 'gap' | 'unreached'; reason: string }

const judge = (protocol: string, file: string, kind: string, mutation: string, original: string, verdict: Judgment['verdict'], reason: string) =>
  [mutantKey(protocol, `src/kernel/${file}`, { kind: kind as never, mutation, original }), { verdict, reason }] as const;

/** Reasons shared by several survivors. */
const PROT_HOOK = 'kmap runs without protection hooks (`x.w.k.prot` is unset): prot_hook() returns at once, so removing or moving it changes nothing; page-protection runs the hooks';
const ADJACENT = 'moves a label-only interleaving point across code that reads only constants and itself begins with an interleaving point (a label yield, or the wait of spin_lock): the one new point lies between two operations of a caller, with irqs on, where the kernel can be interrupted or preempted too';
const RT = 'unreached: the PREEMPT_RT branch, which no variant runs (docs/kmap.md, "Left out")';
const FORK = 'correct callers fork with no local mapping held (idx 0, every saved pteval 0): the child then gets {idx 0, zeros} whichever way the copy and the reset go (and a lazily created ctrl is the same)';
const IRQ_AFTER_SPIN = 'irqs are disabled once the lock is taken (in the same atomic step) instead of before the wait: interrupts may now come while the CPU spins without holding kmap_lock, which is harmless (spin_lock(); local_irq_disable() in one step is as safe as spin_lock_irq())';
const MIGHT_SLEEP = 'might_sleep() is, in the model, a PREEMPT_VOLUNTARY scheduling point (the atomic-context check is the statechart\'s B-INV7): removing it removes a point, so the mutant\'s runs are a subset of the model\'s';
const EARLY_REPORT = 'the report to the statechart moves before a label-only interleaving point with no kernel state change between (a lowmem or atomic-context call): the spec sees the call one step earlier, in the same kernel state';
const ACCESS = 'access() is the harness\'s observation through a mapping (the invariants check where it lands), not kernel code: removing, reordering or miscounting one changes no kernel state, so a correct kernel cannot be told apart (it weakens the observation; only a false alarm would have killed it)';
const FLUSH_OBSERVATION = 'observeFlushReturn() is the caller\'s observation of kmap_flush_unused()\'s return (harness, not kernel code), which kmap/flush-unused judges: without it no kernel state changes, the check only loses its input (a correct kernel cannot be told apart; the flush itself stays checked by B-INV6 and the flush-unused tests)';
const LOONGARCH = 'the cfg.loongarchCopy branch is taken only by the loongarch-copy-lifo buggy variant (a toggle the mutator does not recognise: it is not cfg.mutant); no correct variant runs it (the buggy-variant phase runs it: the variants that do are still caught as expected)';
const DROPPED_SECTION = 'the caller model loses a whole section (the map is not called, the matching unmap finds no handle and is skipped): a smaller legal workload, which a correct kernel runs correctly';
const OTHER_HANDLE = 'the caller reads or writes through another mapping it still holds (or, past the top, none; or writes for reads): another legal workload, which a correct kernel runs correctly';
const DROPPED_OP = 'runOps() is the caller model: dropping an operation gives a smaller legal workload (one the swarm generator also makes), which a correct kernel runs correctly';
const IRQ_OPS = 'irq_on/irq_off operations are generated only for the hardirq-irqs-on buggy variant (shape.irqsOnInHardirq); no correct variant runs them (the buggy-variant phase runs it: the variants that do are still caught as expected)';
const NO_IPIS = 'when no IPI was sent, the wait is a label-only point whose condition already holds (every() of nothing), with no write after it: a step split in two, no new state';
const ENV = 'pkmapTranslations() is the environment (speculative TLB fills), not kernel code: with fewer fills a correct kernel stays correct; the mutant only weakens the search, which the M-B5 variants\' tests (stale translations) would show';
const NO_HIGHMEM = 'page-protection runs with HIGHMEM off: kmap() never reaches the pkmap pool, its flush or its IPIs, so this code is not run there (the kmap campaign covers it)';
const SUBSET = 'the change only takes choices away at one interleaving point (a disable moved before it, or irqs off while waiting): the mutant\'s runs are a subset of the model\'s, and nothing reads the moved state at that point';

const PP_FORCED = 'update_global_pkrs() runs only under globalRestrict \'ipi\' or \'remote-rmw\', the forced restrict tglx found broken (V-GLOBAL-put_cpu_ptr, -remote-rmw, -ipi-every-cpu, all buggy); the correct V-GLOBAL leaves the restrict to each CPU\'s next switch (\'lazy\'), so no correct variant runs this code (the buggy-variant phase runs it: the variants that do are still caught as expected)';

const MR_FUNCTIONAL = 'the operation silently does nothing (or fails) where the kernel makes it work: every memregion check is a safety property, which doing nothing keeps, and nothing checks what an administrator\'s operation achieved. An outcome check would kill it (the programs keep each sysfs write\'s return code; an invariant that an operation the statechart allows on an idle, supported device succeeds and has its effect)';
const MR_LOCK_OWNER = 'the mutex is released by a context that does not hold it (mutex_unlock() deletes the lock whoever holds it), breaking another task\'s critical section; nothing checks who releases a lock (DEBUG_MUTEXES/lockdep would). A ghost record of every lock release with its holder and a kernel invariant "a lock is released only by its holder" (engine support) would kill it';
const MR_PROVENANCE = 'the cache model carries provenance (device, epoch), not data, and a store keeps its line\'s provenance: on a correct run every dirty line is current (E-INV2 holds), so a write-back writes the provenance the media already holds and dropping it leaves the same World. (Lost store data itself is not modelled: a "load returns the last store" check would need stores to carry versions)';
const MR_ONE_STEP = 'the media change moves before the command\'s label-only interleaving point, into the step of the code before it (the last step of the invalidation, or the checks under the bus lock): the mutant\'s runs are those of the model with nothing scheduled between the two, a subset';

const TP_PASID = 'the pasid protocol\'s code: text-poke imports tlb.ts, whose pasid view (switch_mm_pasid(), PASID_OPS) reaches fpu/xstate.ts, fpu/core.ts and kernel/smp.ts, but its own switch (__switch_mm() with TP_OPS) never calls them, so no text-poke run executes this line';
const TP_FIXMAP = 'the pre-5.2 fixmap text_poke() (design \'fixmap\') runs only in the fixmap and fixmap-pti buggy variants; every correct variant pokes through the temporary mm (the buggy-variant phase runs it: the variants that do are still caught as expected)';

const PA_FIXUP_IRQ_ON = 'the #GP fixup after cond_local_irq_enable() (fixup_pasid_exception(), fpu__pasid_write()) runs only with fixupAfterIrqEnable: LAZY-2020 v6, REFCNT-2021 and M-C2, all buggy; the correct lazy design (mainline-exec-clear) fixes up in try_fixup_enqcmd_gp() with irqs off, and the eager designs have no fixup (the buggy-variant phase runs it: the variants that do are still caught as expected)';
const PA_REFCOUNT = 'PASID reference counts (ioasid_get()/ioasid_put(), iommu_sva_free_pasid() on the last put) exist only with pasidFree \'refcount\', REFCNT-2021 (buggy); the correct variants free on __mmdrop or on the last unbind (the buggy-variant phase runs it: the variants that do are still caught as expected)';
const PA_NO_PCID = 'the pasid protocol switches mms through PASID_OPS, which model no PCIDs and no TLB: tlbstate() returns a fresh object each call (only loaded_mm is real), choose_new_asid() returns {ASID 0, flush} at once, and ctx_id/tlb_gen are read only from that throwaway object, so this line changes no state pasid keeps';
const PA_TEXT_POKE = 'text-poke\'s code (the PCID helpers, leave_mm() from use_temporary_mm()): the pasid protocol imports the shared tlb.ts but never runs it';
const PA_WAITQ = 'a task that slept on a mutex (mm->context.lock, pasid_mutex) returns from mutex_lock() still queued on its wait queue: nothing in pasid checks the wait queues; memregion/quiescent\'s clause "no task ended queued on a wait queue", made a kernel invariant (properties/kernel.ts) for every protocol, would kill it (it kills this mutant in memregion)';

export const JUDGED = new Map<string, Judgment>([
  judge('kmap', 'mm/highmem-local.ts', 'relational', '`>=` → `>`', "const overflow = k.cfg.mutant === 'M-B4-bound' ? c.idx > k.KM_MAX_IDX : c.idx >= k.K", 'unreached',
    'both branches become M-B4-bound: the bounds differ only at the 16th nested kmap_local, which no correct caller makes (the kernel BUGs there); the M-B4-bound variant drives that caller and B-INV2-bounds catches it'),
  judge('kmap', 'mm/highmem-local.ts', 'swap-across-yield', "swap `yield { fn: '__kmap_local_pfn_prot', what: 'migrate_disab...` and `migrate_disable(x);`", "yield { fn: '__kmap_local_pfn_prot', what: 'migrate_disable(); preempt_disable(); ", 'equivalent',
    `migrate_disable() before the interleaving point: the task may no longer migrate there; ${SUBSET}`),
  judge('kmap', 'mm/highmem-local.ts', 'swap-across-yield', "swap `if (!kmapLocalMaps(k, page)) { // no HIGHMEM and no FORCE...` and `if (k.cfg.ARCH_NEEDS_KMAP_HIGH_GET && !k.cfg.DEBUG_HIGHME...`", 'if (!kmapLocalMaps(k, page)) { ⏎ // no HIGHMEM and no FORCE_MAP: no stack push, which hide', 'equivalent',
    'kmap_high_get() first for a page kmap_local does not map: such a page never has a pkmap address, so it only takes and drops kmap_lock with irqs off (one more wait, no state change) and returns 0'),
  judge('kmap', 'mm/highmem-local.ts', 'remove-call', "remove `yield* prot_hook(x, 'kmap_local', page);`", "yield* prot_hook(x, 'kmap_local', page);", 'equivalent', PROT_HOOK),
  judge('kmap', 'mm/highmem-local.ts', 'swap-across-yield', "swap `yield* kunmap_local_indexed(x, vaddr, page, atomic, fn);` and `yield* prot_hook(x, 'kunmap_local', page);`", "yield* kunmap_local_indexed(x, vaddr, page, atomic, fn); ⏎ yield* prot_hook(x, 'kunm", 'equivalent', PROT_HOOK),
  judge('kmap', 'mm/highmem-local.ts', 'remove-call', "remove `yield* prot_hook(x, 'kunmap_local', page);`", "yield* prot_hook(x, 'kunmap_local', page);", 'equivalent', PROT_HOOK),
  judge('kmap', 'mm/highmem-local.ts', 'swap-across-yield', "swap `if (!isFixmap(k, vaddr) && k.cfg.mutant !== 'M-B1') { // ...` and `yield { fn, what: `preempt_disable(); pte_clear(top fixma...`", "if (!isFixmap(k, vaddr) && k.cfg.mutant !== 'M-B1') { ⏎ // kmap_high_unmap_local", 'equivalent', ADJACENT),
  judge('kmap', 'mm/highmem-local.ts', 'swap-across-yield', "swap `if (!k.cfg.DEBUG_KMAP_LOCAL_FORCE_MAP && k.cfg.ARCH_NEEDS...` and `yield { fn, what: `0x${vaddr.toString(16)} is not a fixma...`", "if (!k.cfg.DEBUG_KMAP_LOCAL_FORCE_MAP && k.cfg.ARCH_NEEDS_KMAP_HIGH_GET && isPkm", 'equivalent', ADJACENT),
  judge('kmap', 'mm/highmem-local.ts', 'logical', "`||` → `&&`", "const bad = k.cfg.DEBUG_KMAP_LOCAL_FORCE_MAP || vaddr < PAGE_OFFSET;", 'equivalent',
    'both operands are false on every path a correct caller takes here: with FORCE_MAP every page is in the fixmap (this branch is not taken), and callers pass the linear address the map returned (never below PAGE_OFFSET)'),
  judge('kmap', 'mm/highmem-local.ts', 'swap-across-yield', "swap `yield { fn, what: `preempt_disable(); pte_clear(top fixma...` and `preempt_disable(x);`", "yield { fn, what: `preempt_disable(); pte_clear(top fixmap slot) for 0x${vaddr.t", 'equivalent',
    `preempt_disable() before the interleaving point: the task may no longer be preempted there; ${SUBSET}`),
  judge('kmap', 'mm/highmem-local.ts', 'swap-across-yield', "swap `yield { fn, what: 'kmap_local_idx_pop(); preempt_enable()...` and `c.idx -= k.KM_INCR;`", "yield { fn, what: 'kmap_local_idx_pop(); preempt_enable(); migrate_enable()' }; ", 'equivalent',
    'the pop joins the pte_clear step: an interrupt now nests after the pop (on the freed slot, already cleared) instead of before it, with preemption still off: the same kmap state as an interrupt just after preempt_enable() in the model'),
  judge('kmap', 'mm/highmem-local.ts', 'swap-across-yield', "swap `yield { fn: 'kmap_atomic', what: 'preempt_disable() (RT: ...` and `if (x.w.preempt === 'rt') migrate_disable(x); else preemp...`", "yield { fn: 'kmap_atomic', what: 'preempt_disable() (RT: migrate_disable()); pag", 'equivalent',
    `preempt_disable() before the interleaving point; ${SUBSET}`),
  judge('kmap', 'mm/highmem-local.ts', 'drop-lock', "remove `migrate_disable(x);`", "if (x.w.preempt === 'rt') migrate_disable(x);", 'unreached', RT),
  judge('kmap', 'mm/highmem-local.ts', 'swap-across-yield', "swap `yield* unmap_local(x, vaddr, page, true, '__kunmap_atomic');` and `yield { fn: '__kunmap_atomic', what: 'pagefault_enable();...`", "yield* unmap_local(x, vaddr, page, true, '__kunmap_atomic'); ⏎ yield { fn: '__ku", 'equivalent',
    'the label yield moves to just before unmap_local(), whose own first interleaving point follows after constant reads only (no new state), and the enables join the pop step (a point removed: a subset of the runs)'),
  judge('kmap', 'mm/highmem-local.ts', 'swap-across-yield', "swap `yield { fn: '__kunmap_atomic', what: 'pagefault_enable();...` and `pagefault_enable(x);`", "yield { fn: '__kunmap_atomic', what: 'pagefault_enable(); preempt_enable() (RT: ", 'equivalent',
    'pagefault_enable() one interleaving point earlier: no access in the kmap model can fault on a correct run, so pagefault_disabled is read only by kernel/counts and kernel/context-balance, which hold either way'),
  judge('kmap', 'mm/highmem-local.ts', 'drop-lock', "remove `migrate_enable(x);`", "if (x.w.preempt === 'rt') migrate_enable(x);", 'unreached', RT),
  judge('kmap', 'mm/highmem-local.ts', 'swap-across-yield', "swap `if (c.idx === 0) return;` and `yield { fn: '__kmap_local_sched_out', what: `clear ${prev...`", "if (c.idx === 0) return; ⏎ yield { fn: '__kmap_local_sched_out', what: `clear ${", 'equivalent',
    'with no mapping held, sched_out now passes one label-only interleaving point and returns: the step is split with no write after the split, so no other context can see a new state'),
  judge('kmap', 'mm/highmem-local.ts', 'swap-across-yield', "swap `yield { fn: '__kmap_local_sched_in', what: `restore ${nex...` and `if (!liveSlot(x, next, i, '__kmap_local_sched_in')) conti...`", "yield { fn: '__kmap_local_sched_in', what: `restore ${next.name}'s slot ${i}` };", 'equivalent',
    'liveSlot() only reads the task\'s saved pteval (private to the task being switched in) and WARNs on states correct runs never have, so evaluating it before the interleaving point instead of after reads the same values; the restore itself stays after the point'),
  judge('kmap', 'mm/highmem-local.ts', 'remove-assignment', "remove `k.kmap_ctrl[t.id] = { idx: pc.idx, pteval: pc.pteval.slic...`", "k.kmap_ctrl[t.id] = { idx: pc.idx, pteval: pc.pteval.slice() };", 'equivalent', FORK),
  judge('kmap', 'mm/highmem-local.ts', 'remove-assignment', "remove `k.kmap_ctrl[t.id] = { idx: 0, pteval: pc.pteval.map(() =>...`", "k.kmap_ctrl[t.id] = { idx: 0, pteval: pc.pteval.map(() => 0) };", 'unreached',
    'removing the reset after the WARN is M-B4-fork itself; only a caller that forks with a local mapping held takes it, which the M-B4-fork variant drives (no correct caller does)'),
  judge('kmap', 'mm/highmem-local.ts', 'negate-condition', "`WARN_ON_ONCE(x, pc.idx !== 0, 'kmap_local_fork', 'child i...` → `!(WARN_ON_ONCE(x, pc.idx !== 0, 'kmap_local_fork', 'child inherits kmap_ctrl.idx') && k.cfg.mutant !== 'M-B4-fork')`", "if (WARN_ON_ONCE(x, pc.idx !== 0, 'kmap_local_fork', 'child inherits kmap_ctrl.i", 'equivalent', FORK),
  judge('kmap', 'mm/highmem-local.ts', 'logical', "`&&` → `||`", "if (WARN_ON_ONCE(x, pc.idx !== 0, 'kmap_local_fork', 'child inherits kmap_ctrl.i", 'equivalent', FORK),
  judge('kmap', 'mm/highmem-local.ts', 'remove-call', "remove `x.emit({ type: 'FORK', parent: parent.id, child: t.id });`", "x.emit({ type: 'FORK', parent: parent.id, child: t.id });", 'equivalent',
    'the statechart\'s FORK guard (parent holds nothing) holds on every correct run and a task it never saw starts with an empty stack, as the child does: the report only matters for a caller that forks holding a mapping (M-B4-fork)'),
  judge('kmap', 'mm/highmem-local.ts', 'remove-yield', "remove `yield { fn: 'exit_to_user_mode_prepare', what: 'kmap_asse...`", "yield { fn: 'exit_to_user_mode_prepare', what: 'kmap_assert_nomap()', resched: '", 'equivalent',
    'removes a scheduling point (resched on return to user) without moving any action: the mutant\'s runs are a subset of the model\'s, and every task still reaches do_exit, so no livelock either'),
  judge('kmap', 'mm/highmem-local.ts', 'remove-call', "remove `x.emit({ type: 'RETURN_TO_USER', task: t.id });`", "x.emit({ type: 'RETURN_TO_USER', task: t.id });", 'equivalent',
    'the statechart\'s RETURN_TO_USER guard (the task holds nothing) holds on every correct run: the report only matters for a caller that returns to user holding a mapping (M-B4-nomap)'),
  judge('kmap', 'mm/highmem.ts', 'swap-across-yield', "swap `if (x.w.k.cfg.ARCH_NEEDS_KMAP_HIGH_GET) x.cpuState().irqs...` and `yield* spin_lock(x, 'kmap_lock', fn);`", "if (x.w.k.cfg.ARCH_NEEDS_KMAP_HIGH_GET) x.cpuState().irqsOff = true; ⏎ yield* sp", 'equivalent', IRQ_AFTER_SPIN),
  judge('kmap', 'mm/highmem.ts', 'relational', "`<` → `<=`", "for (let i = 0; i < k.LAST_PKMAP; i++) {", 'equivalent',
    'the extra iteration reads pkmap_count[LAST_PKMAP], undefined in the model (≠ 1), and does nothing; in C it would read past the array, which a model of arrays cannot show'),
  judge('kmap', 'mm/highmem.ts', 'swap-across-yield', "swap `yield* flush_all_zero_pkmaps(x);` and `n = k.LAST_PKMAP;`", "yield* flush_all_zero_pkmaps(x); ⏎ n = k.LAST_PKMAP;", 'equivalent',
    '`n` is a local of map_new_virtual() that the flush does not read: resetting it before or after the flush is the same'),
  judge('kmap', 'mm/highmem.ts', 'swap-across-yield', "swap `finish_wait(x);` and `yield* lock_kmap(x, 'map_new_virtual');`", "finish_wait(x); ⏎ yield* lock_kmap(x, 'map_new_virtual');", 'equivalent',
    'finish_wait() after taking the lock: the entry stays queued while the task spins, so a kunmap_high() may wake it once more; a spurious wake-up, after which it rechecks under the lock as before'),
  judge('kmap', 'mm/highmem.ts', 'swap-across-yield', "swap `if (!vaddr) vaddr = yield* map_new_virtual(x, page);` and `yield { fn: 'kmap_high', what: `pkmap_count[${PKMAP_NR(va...`", "if (!vaddr) vaddr = yield* map_new_virtual(x, page); ⏎ yield { fn: 'kmap_high', ", 'equivalent',
    'the label point moves before map_new_virtual(), whose own first point follows at once (no new state), and the point between it and pkmap_count++ goes (a subset); all of it under kmap_lock, which every other pkmap reader and writer takes'),
  judge('kmap', 'mm/highmem.ts', 'remove-call', "remove `yield* might_sleep('kmap');`", "yield* might_sleep('kmap');", 'equivalent', MIGHT_SLEEP),
  judge('kmap', 'mm/highmem.ts', 'remove-call', "remove `yield* might_sleep('kunmap');`", "yield* might_sleep('kunmap');", 'equivalent', MIGHT_SLEEP),
  judge('kmap', 'mm/highmem.ts', 'remove-call', "remove `yield* prot_hook(x, 'kmap', page);`", "yield* prot_hook(x, 'kmap', page);", 'equivalent', PROT_HOOK),
  judge('kmap', 'mm/highmem.ts', 'remove-call', "remove `yield* prot_hook(x, 'kunmap', page);`", "yield* prot_hook(x, 'kunmap', page);", 'equivalent', PROT_HOOK),
  judge('kmap', 'mm/highmem.ts', 'swap-across-yield', "swap `if (!PageHighMem(x.w.k, page)) { yield { fn: 'kunmap', wh...` and `yield* prot_hook(x, 'kunmap', page);`", "if (!PageHighMem(x.w.k, page)) { ⏎ yield { fn: 'kunmap', what: `page ${page} is ", 'equivalent', PROT_HOOK),
  judge('kmap', 'mm/highmem.ts', 'swap-across-yield', "swap `yield { fn: 'kmap', what: atomic ? `kmap(page ${page}) in...` and `x.emit({ type: 'KMAP', task: x.current().id, page, atomic...`", "yield { fn: 'kmap', what: atomic ? `kmap(page ${page}) in atomic context` : `pag", 'equivalent', EARLY_REPORT),
  judge('kmap', 'mm/highmem.ts', 'swap-across-yield', "swap `yield { fn: 'kunmap', what: `page ${page} is lowmem: noth...` and `x.emit(ev);`", "yield { fn: 'kunmap', what: `page ${page} is lowmem: nothing to undo` }; ⏎ x.emi", 'equivalent', EARLY_REPORT),
  judge('kmap', 'mm/highmem.ts', 'swap-across-yield', "swap `unlock_kmap_any(x, flags);` and `if (need_wakeup) { yield { fn: 'kunmap_high', what: 'wake...`", "unlock_kmap_any(x, flags); ⏎ if (need_wakeup) { ⏎ yield { fn: 'kunmap_high', wha", 'equivalent',
    'wake_up() before unlock: the waker holds kmap_lock one interleaving point longer and the woken task waits for the lock it takes next anyway; no pkmap state differs'),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-call', "remove `yield* access(x, 'copy_page', vfrom, from, false);`", "yield* access(x, 'copy_page', vfrom, from, false);", 'equivalent', ACCESS),
  judge('kmap', 'mm/kmap-callers.ts', 'swap-across-yield', "swap `yield* access(x, 'copy_page', vfrom, from, false);` and `yield* access(x, 'copy_page', vto, to, true);`", "yield* access(x, 'copy_page', vfrom, from, false); ⏎ yield* access(x, 'copy_page", 'equivalent', ACCESS),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-call', "remove `yield* access(x, 'copy_page', vto, to, true);`", "yield* access(x, 'copy_page', vto, to, true);", 'equivalent', ACCESS),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-call', "remove `yield* kunmap_local(x, vfrom, from);`", "yield* kunmap_local(x, vfrom, from);", 'unreached', LOONGARCH),
  judge('kmap', 'mm/kmap-callers.ts', 'swap-across-yield', "swap `yield* kunmap_local(x, vfrom, from);` and `yield* kunmap_local(x, vto, to);`", "yield* kunmap_local(x, vfrom, from); ⏎ yield* kunmap_local(x, vto, to); // unrea", 'unreached', LOONGARCH),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-call', "remove `yield* kunmap_local(x, vto, to);`", "yield* kunmap_local(x, vto, to); // unreached: the statechart refuses the out-of", 'unreached', LOONGARCH),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-call', "remove `held.push({ kind: 'kmap', page: op[1], vaddr: yield* kmap...`", "case 'kmap': held.push({ kind: 'kmap', page: op[1], vaddr: yield* kmap(x, op[1])", 'equivalent', DROPPED_SECTION),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-call', "remove `held.push({ kind: 'local', page: op[1], vaddr: yield* kma...`", "case 'local': held.push({ kind: 'local', page: op[1], vaddr: yield* kmap_local_p", 'equivalent', DROPPED_SECTION),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-call', "remove `held.push({ kind: 'atomic', page: op[1], vaddr: yield* km...`", "case 'atomic': held.push({ kind: 'atomic', page: op[1], vaddr: yield* kmap_atomi", 'equivalent', DROPPED_SECTION),
  judge('kmap', 'mm/kmap-callers.ts', 'constant', "`held.length - 1`: 1 → 2", "const h = held[held.length - 1];", 'equivalent', OTHER_HANDLE),
  judge('kmap', 'mm/kmap-callers.ts', 'constant', "`held.length - 1`: 1 → 0", "const h = held[held.length - 1];", 'equivalent', OTHER_HANDLE),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-call', "remove `yield* access(x, 'memcpy', h.vaddr, h.page, op[0] === 'wr...`", "if (h) yield* access(x, 'memcpy', h.vaddr, h.page, op[0] === 'write');", 'equivalent', ACCESS),
  judge('kmap', 'mm/kmap-callers.ts', 'equality', "`===` → `!==`", "if (h) yield* access(x, 'memcpy', h.vaddr, h.page, op[0] === 'write');", 'equivalent', OTHER_HANDLE),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-call', "remove `yield* copy_user_highpage(x, op[1], op[2]);`", "case 'copy': yield* copy_user_highpage(x, op[1], op[2]); break;", 'equivalent', DROPPED_OP),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-call', "remove `yield* fork(x, (c) => exit_to_user_mode(c));`", "case 'fork': yield* fork(x, (c) => exit_to_user_mode(c)); break;", 'equivalent', DROPPED_OP),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-call', "remove `yield* exit_to_user_mode(x);`", "case 'user': yield* exit_to_user_mode(x); break;", 'equivalent', DROPPED_OP),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-call', "remove `observeFlushReturn(x);`", "observeFlushReturn(x);", 'equivalent', FLUSH_OBSERVATION),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-assignment', "remove `k.flushReturn = { who: x.current().name, pkmap_count: k.p...`", "k.flushReturn = { who: x.current().name, pkmap_count: k.pkmap_count.slice(), tlb };", 'equivalent', FLUSH_OBSERVATION),
  judge('kmap', 'mm/kmap-types.ts', 'remove-call', "remove `yield* h(x, page);`", "if (h) yield* h(x, page);", 'equivalent', PROT_HOOK),
  judge('kmap', 'mm/kmap-types.ts', 'logical', "`&&` → `||`", "return k.cfg.HIGHMEM && k.highmem[page] === true;", 'equivalent',
    'lowmem pages (and every page without HIGHMEM) are mapped through pkmap/fixmap too: that is what DEBUG_KMAP_LOCAL_FORCE_MAP does on purpose; slower, not wrong, and the pool and stack handle it as for highmem pages'),
  judge('kmap', 'mm/kmap-callers.ts', 'swap-across-yield', "swap `yield { fn: 'local_irq_enable', what: 'sti' };` and `x.cpuState().irqsOff = false;`", "yield { fn: 'local_irq_enable', what: 'sti' }; ⏎ x.cpuState().irqsOff = false;", 'unreached', IRQ_OPS),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-assignment', "remove `x.cpuState().irqsOff = false;`", "x.cpuState().irqsOff = false;", 'unreached', IRQ_OPS),
  judge('kmap', 'mm/kmap-callers.ts', 'swap-across-yield', "swap `yield { fn: 'local_irq_disable', what: 'cli' };` and `x.cpuState().irqsOff = true;`", "yield { fn: 'local_irq_disable', what: 'cli' }; ⏎ x.cpuState().irqsOff = true;", 'unreached', IRQ_OPS),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-assignment', "remove `x.cpuState().irqsOff = true;`", "x.cpuState().irqsOff = true;", 'unreached', IRQ_OPS),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-call', "remove `yield* runOps(x, ops);`", "yield* runOps(x, ops);", 'equivalent', DROPPED_OP),
  judge('kmap', 'mm/kmap-callers.ts', 'swap-across-yield', "swap `yield* runOps(x, ops);` and `yield { fn: 'do_exit', what: 'exit' };`", "yield* runOps(x, ops); ⏎ yield { fn: 'do_exit', what: 'exit' };", 'equivalent',
    'the do_exit label point moves before the operations, each of which begins with an interleaving point of its own (no new state), and the EXIT report joins the last operation\'s step (a point removed: a subset)'),
  judge('kmap', 'mm/kmap-callers.ts', 'swap-across-yield', "swap `yield { fn: 'do_exit', what: 'exit' };` and `x.emit({ type: 'EXIT', task: x.current().id });`", "yield { fn: 'do_exit', what: 'exit' }; ⏎ x.emit({ type: 'EXIT', task: x.current(", 'equivalent', EARLY_REPORT),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-call', "remove `x.emit({ type: 'EXIT', task: x.current().id });`", "x.emit({ type: 'EXIT', task: x.current().id });", 'equivalent',
    'the statechart\'s EXIT guard (the task holds nothing) holds on every correct run: the report only matters for a caller that exits holding a mapping'),
  judge('kmap', 'mm/kmap-tlb.ts', 'relational', "`<` → `<=`", "for (let nr = 0; nr < x.w.k.LAST_PKMAP; nr++) tlb_flush_one(x, x.w.k.tlb, PKMAP_ADDR(nr), o);", 'equivalent',
    'flushes one address past the pool as well: no translation exists there, and an extra flush never makes a translation wrong'),
  judge('kmap', 'mm/kmap-tlb.ts', 'swap-across-yield', "swap `yield { fn: 'do_kernel_range_flush', what: `flush the pkm...` and `do_kernel_range_flush(x);`", "yield { fn: 'do_kernel_range_flush', what: `flush the pkmap range from cpu${x.cp", 'equivalent',
    'the IPI handler flushes in its first step instead of its second; the sender waits for the handler\'s end either way, and a flush only ever removes stale entries sooner'),
  judge('kmap', 'mm/kmap-tlb.ts', 'swap-across-yield', "swap `if (done.length === 0 || k.cfg.mutant === 'M-B5-nowait') ...` and `yield { fn: 'smp_call_function_many_cond', what: 'csd_loc...`", "if (done.length === 0 || k.cfg.mutant === 'M-B5-nowait') return; ⏎ yield { fn: '", 'equivalent', NO_IPIS),
  judge('kmap', 'mm/kmap-tlb.ts', 'logical', "`||` → `&&`", "if (done.length === 0 || k.cfg.mutant === 'M-B5-nowait') return;", 'equivalent', NO_IPIS),
  judge('kmap', 'mm/pgtable.ts', 'relational', "`<` → `<=`", "export const isPkmap = (k: KmapState, vaddr: number) => vaddr >= PKMAP_BASE && v", 'equivalent',
    'no address a run uses equals PKMAP_BASE + LAST_PKMAP: pkmap addresses lie below it and the fixmap starts 0x1000 higher than PKMAP_BASE, far past the largest pool'),
  judge('kmap', 'mm/pgtable.ts', 'relational', "`<` → `<=`", "export const isFixmap = (k: KmapState, vaddr: number) => vaddr >= FIXADDR_KMAP &", 'equivalent',
    'no address a run uses equals the end of the fixmap area: fixmap addresses lie below it and linear ones start at PAGE_OFFSET, far above'),
  judge('kmap', 'mm/pgtable.ts', 'negate-condition', "`cpu < cpus` → `!(cpu < cpus)`", "for (let cpu = 0; cpu < cpus; cpu++) {", 'equivalent',
    ENV),
  judge('kmap', 'mm/pgtable.ts', "remove-call", "remove `k.pkmap_page_table.forEach((pte, nr) => { if (pte_present...`", "k.pkmap_page_table.forEach((pte, nr) => { \u23ce if (pte_present(pte)) out.push({ cpu", 'equivalent', ENV),
  judge('kmap', 'mm/pgtable.ts', "remove-call", "remove `out.push({ cpu, pcid: 0, va: PKMAP_ADDR(nr), entry: pkmap...`", "if (pte_present(pte)) out.push({ cpu, pcid: 0, va: PKMAP_ADDR(nr), entry: pkmapE", 'equivalent', ENV),
  judge('kmap', 'mm/pgtable.ts', "negate-condition", "`reached !== 'fault' && write` \u2192 `!(reached !== 'fault' && write)`", "if (reached !== 'fault' && write) k.data[reached] = k.data[reached]! + 1;", 'equivalent', ACCESS),
  judge('kmap', 'mm/pgtable.ts', "equality", "`!==` \u2192 `===`", "if (reached !== 'fault' && write) k.data[reached] = k.data[reached]! + 1;", 'equivalent', ACCESS),
  judge('kmap', 'mm/pgtable.ts', "logical", "`&&` \u2192 `||`", "if (reached !== 'fault' && write) k.data[reached] = k.data[reached]! + 1;", 'equivalent', ACCESS),
  judge('kmap', 'mm/pgtable.ts', "remove-assignment", "remove `k.data[reached] = k.data[reached]! + 1;`", "if (reached !== 'fault' && write) k.data[reached] = k.data[reached]! + 1;", 'equivalent', ACCESS),
  judge('kmap', 'mm/pgtable.ts', "constant", "`k.data[reached]! + 1`: 1 \u2192 2", "if (reached !== 'fault' && write) k.data[reached] = k.data[reached]! + 1;", 'equivalent', ACCESS),
  judge('kmap', 'mm/pgtable.ts', "constant", "`k.data[reached]! + 1`: 1 \u2192 0", "if (reached !== 'fault' && write) k.data[reached] = k.data[reached]! + 1;", 'equivalent', ACCESS),
  judge('kmap', 'mm/pgtable.ts', "remove-assignment", "remove `k.lastAccess = { who: x.current().name, write, vaddr, pag...`", "k.lastAccess = { who: x.current().name, write, vaddr, page, reached };", 'equivalent', ACCESS),
  judge('kmap', 'mm/pgtable.ts', 'cpu-index', "`x.cpu()` → the next CPU", "const reached = translate(k, x.cpu(), vaddr);", 'equivalent',
    'in a correct run every CPU\'s cached translation of a pkmap address in use agrees with the page table (a slot is reused only after the flush reached every CPU), and fixmap addresses are not cached: translating through another CPU\'s TLB reaches the same page'),
  // page-protection (sampled); judged for page-protection's configurations (HIGHMEM and the kmap debug options off)
  judge('page-protection', 'mm/highmem-local.ts', 'equality', "`===` → `!==`", "return on && (i & 1) === 0;", 'equivalent',
    'in page-protection the guard-slot option is off in every configuration, so isGuardSlot() is false either way (the kmap campaign kills this mutant in its debug variants)'),
  judge('page-protection', 'mm/highmem.ts', 'swap-across-yield', "swap `yield* lock_kmap(x, 'map_new_virtual');` and `if (k.page_address[page]) { count(x.w, 'pkmap_mapped_mean...`", "yield* lock_kmap(x, 'map_new_virtual'); ⏎ // Somebody else might have mapped it ", 'unreached', NO_HIGHMEM),
  judge('page-protection', 'mm/highmem.ts', 'swap-across-yield', "swap `yield* lock_kmap(x, '__kmap_flush_unused');` and `yield* flush_all_zero_pkmaps(x);`", "yield* lock_kmap(x, '__kmap_flush_unused'); ⏎ yield* flush_all_zero_pkmaps(x);", 'unreached', NO_HIGHMEM),
  judge('page-protection', 'mm/kmap-tlb.ts', 'negate-condition', "`k.cfg.tlbBroadcast` → `!k.cfg.tlbBroadcast`", "if (k.cfg.tlbBroadcast) {", 'unreached', NO_HIGHMEM),
  judge('page-protection', 'mm/kmap-tlb.ts', 'remove-call', "remove `done.push(x.ipi(c.id, 'do_kernel_range_flush', ipi_flush));`", "done.push(x.ipi(c.id, 'do_kernel_range_flush', ipi_flush));", 'unreached', NO_HIGHMEM),
  judge('page-protection', 'mm/memremap-param.ts', 'negate-condition', "`!sysfs_streq(val, 'strict')` → `sysfs_streq(val, 'strict')`", "if (!sysfs_streq(val, 'strict')) return { ok: true, mode: 'STRICT' };", 'unreached',
    'the V7 parser (parser: \'v7\') is the inverted sysfs_streq() bug, run only by its buggy variant; no correct variant parses with it'),
  // pasid (sampled)
  judge('pasid', 'mm/pasid-types.ts', 'equality', "`===` → `!==`", "export const pasidStr = (p: number): string => (p === INVALID ? 'INVALID' : `${p", 'equivalent',
    'pasidStr() only formats a PASID for traces and reports; no check reads it'),
  // page-protection (campaign of 2026-11-30: 12% sample, seed 1); judged for its correct variants
  judge('page-protection', 'arch/x86/mm/pkeys.ts', 'cpu-index', "`x.cpu()` → the next CPU", 'wrmsrl_pkrs(x, x.cpu(), PKS_INIT_VALUE);', 'equivalent',
    'crashed only because the boot harness\'s exec has no x.w.cpus (the mutant\'s `% x.w.cpus.length`); otherwise equivalent: pks_setup() on cpu c writes PKS_INIT_VALUE to cpu c+1\'s MSR, then pks_write_pkrs() (cache 0 ≠ PKS_INIT_VALUE) writes its own MSR anyway, and every CPU boots before any task: the same boot state'),
  judge('page-protection', 'mm/pks-callers.ts', 'remove-call', "remove `yield* take(x, op[1], 'take a published kmap() address');`", "case 'take': yield* take(x, op[1], 'take a published kmap() address'); break;", 'equivalent',
    'runPpOps() is the caller model: without the other context\'s kunmap() the publisher takes its own address back at its end (ppTask\'s take-back loop), a smaller legal workload that a correct kernel runs correctly (the kunmap()-elsewhere buggy variants drive the cross-context kunmap themselves)'),
  judge('page-protection', 'mm/pks-callers.ts', 'drop-lock', 'remove `local_bh_disable(x);`', 'local_bh_disable(x);', 'gap',
    'the bh region no longer disables bottom halves and local_bh_enable() drives softirq_disabled to -1 (then softirqs stop running at irq exit for that task): no check reads softirq_disabled. kernel/counts and kernel/context-balance (properties/kernel.ts) covering softirq_disabled ("never < 0, a task exits with 0") would kill it'),
  judge('page-protection', 'mm/pks-global.ts', 'remove-call', 'remove `yield* update_global_pkrs(x, key);`', "if (p.cfg.globalRestrict !== 'lazy') yield* update_global_pkrs(x, key);", 'unreached', PP_FORCED),
  judge('page-protection', 'mm/pks-global.ts', 'negate-condition', '`p.cfg.putCpuPtr` → `!p.cfg.putCpuPtr`', 'if (p.cfg.putCpuPtr) {', 'unreached', PP_FORCED),
  judge('page-protection', 'mm/pks-global.ts', 'equality', '`===` → `!==`', "if (p.cfg.globalRestrict === 'remote-rmw') {", 'unreached', PP_FORCED),
  judge('page-protection', 'mm/pks-global.ts', 'remove-call', 'remove `pks_write_pkrs(xi, pkey_update_pkval(pks(xi).pkrs_cache[x...`', 'pks_write_pkrs(xi, pkey_update_pkval(pks(xi).pkrs_cache[xi.cpu()]!, key, PKEY_NO', 'unreached', PP_FORCED),
  // memregion (campaign of 2026-11-30: 12% sample, seed 1)
  judge('memregion', 'arch/x86/include/asm/special_insns.ts', 'remove-call', "remove `yield* x.exception('#VE', exc_virtualization_exception);`", "yield* x.exception('#VE', exc_virtualization_exception);", 'unreached',
    'a TDX guest executes WBINVD only when has() is true under a hypervisor (M-E1-tdx, buggy); in mainline-tdx has() is false and the v5 gate refuses every invalidation, so no correct variant reaches the #VE'),
  judge('memregion', 'arch/x86/mm/pat/set_memory.ts', 'remove-call', 'remove `yield* wbinvd(x);`', 'yield* wbinvd(x);', 'unreached',
    'the local-CPU-only invalidation runs only with wbinvdAllCpus false, M-E6 (buggy); every correct variant calls wbinvd_on_all_cpus()'),
  judge('memregion', 'drivers/acpi/nfit/intel.ts', 'remove-call', 'remove `dev_unlock(x, dev);`', 'dev_unlock(x, dev);', 'gap',
    `the Intel unlock command no longer unlocks the DIMM, yet returns 0: its probe then fails (-ENXIO) and region0 stays disabled. ${MR_FUNCTIONAL}`),
  judge('memregion', 'drivers/acpi/nfit/intel.ts', 'swap-across-yield', "swap `yield* dsm(x, dev, 'NVDIMM_INTEL_OVERWRITE');` and `dev_overwrite(x, dev);`", "yield* dsm(x, dev, 'NVDIMM_INTEL_OVERWRITE'); ⏎ dev_overwrite(x, dev);", 'equivalent', MR_ONE_STEP),
  judge('memregion', 'drivers/cxl/core/region.ts', 'remove-assignment', 'remove `cxlr(x).CXL_REGION_F_INCOHERENT = false;`', 'cxlr(x).CXL_REGION_F_INCOHERENT = false;', 'equivalent',
    'CXL_REGION_F_INCOHERENT is set only under cxl \'probe\' (d18bc74aced6, buggy); in the correct variants (cxl \'commit-teardown\' or none) it is always false, so clearing it changes nothing (E-INV5 reads false either way)'),
  judge('memregion', 'drivers/cxl/core/region.ts', 'equality', '`===` → `!==`', "if (commit ? p.state === 'CXL_CONFIG_COMMIT' : p.state !== 'CXL_CONFIG_COMMIT') ", 'gap',
    `echo 1 > commit of a configured region returns 0 without committing (and commits only what is already committed, then -ENXIO): no CXL region is ever committed again. ${MR_FUNCTIONAL}`),
  judge('memregion', 'drivers/cxl/core/region.ts', 'equality', '`!==` → `===`', "if (commit && p.state !== 'CXL_CONFIG_ACTIVE') {", 'gap',
    `echo 1 > commit of a configured (ACTIVE) region fails with -ENXIO, and of an IDLE one would go on: no CXL region is ever committed again. ${MR_FUNCTIONAL}`),
  judge('memregion', 'drivers/cxl/core/region.ts', 'swap-across-yield', 'swap `rc = yield* cxl_region_invalidate_memregion(x);` and `if (rc && !x.w.k.cfg.commitStoreGotoOut) return rc;`', 'rc = yield* cxl_region_invalidate_memregion(x); ⏎ if (rc && !x.w.k.cfg.commitSto', 'equivalent',
    'commitStoreGotoOut is true in every correct variant (false only in d1257d098a5a-as-merged, buggy), so the moved early return never fires wherever it stands, and `if (rc) break out` still follows the call'),
  judge('memregion', 'drivers/cxl/core/region.ts', 'drop-lock', "remove `yield* mutex_lock(x, RWSEM, 'cxl_region_probe');`", "yield* mutex_lock(x, RWSEM, 'cxl_region_probe');", 'gap',
    `probe reads the region state without cxl_region_rwsem (a single read, which device_lock already orders against the release that follows any change away from COMMIT), but its up_read() then releases commit_store()'s or attach_target()'s hold: ${MR_LOCK_OWNER}`),
  judge('memregion', 'drivers/cxl/core/region.ts', 'logical', '`&&` → `||`', "if (rc === 0 && x.w.k.cfg.cxl !== 'commit-teardown') rc = yield* cxl_region_inva", 'gap',
    `mainline then also invalidates at every probe of a committed region: one more WBINVD on bare metal (harmless), but in a KVM or TDX guest (has() false) rebinding a committed region fails with -ENXIO and it stays unbound. ${MR_FUNCTIONAL}`),
  judge('memregion', 'drivers/cxl/security.ts', 'swap-across-yield', "swap `yield* cxl_mbox_send_cmd(x, dev, 'CXL_MBOX_OP_PASSPHRASE_...` and `dev_erase(x, dev);`", "yield* cxl_mbox_send_cmd(x, dev, 'CXL_MBOX_OP_PASSPHRASE_SECURE_ERASE'); ⏎ dev_e", 'equivalent', MR_ONE_STEP),
  judge('memregion', 'drivers/nvdimm/bus.ts', 'remove-call', "remove `yield* device_lock(x, dev, 'wait_nvdimm_bus_probe_idle');`", "yield* device_lock(x, dev, 'wait_nvdimm_bus_probe_idle');", 'gap',
    `after waiting for probes to go idle, security_store() goes on without the DIMM's device_lock and its final device_unlock() releases a lock it does not hold (possibly a DIMM probe's): ${MR_LOCK_OWNER}`),
  judge('memregion', 'drivers/nvdimm/security.ts', 'negate-condition', '`x.w.k.nvdimm[dev].NDD_SECURITY_OVERWRITE` → `!x.w.k.nvdimm[dev].NDD_SECURITY_OVERWRITE`', 'return x.w.k.nvdimm[dev].NDD_SECURITY_OVERWRITE ? EBUSY : 0;', 'gap',
    `every erase and overwrite of an idle DIMM fails with -EBUSY (one would go on only during an overwrite, which then never starts). ${MR_FUNCTIONAL}`),
  judge('memregion', 'drivers/nvdimm/security.ts', 'swap-across-yield', 'swap `if (rc !== 0) return rc;` and `yield* mark_incoherent(x, dev);`', 'if (rc !== 0) return rc; ⏎ yield* mark_incoherent(x, dev);', 'equivalent',
    'mark_incoherent() acts only in the region-driver design, where the overwrite op cannot fail (the has() refusal is intel-ops only; CXL has no overwrite op and fails earlier): rc is 0 wherever the moved call does something'),
  judge('memregion', 'hw/cpu-cache.ts', 'remove-call', 'remove `memoryWrite(hw, addr, l);`', 'memoryWrite(hw, addr, l);', 'equivalent', MR_PROVENANCE),
  judge('memregion', 'hw/cpu-cache.ts', 'remove-assignment', 'remove `delete cache[addr];`', 'hw.caches.forEach((cache, c) => { if (c !== cpu) delete cache[addr]; });', 'equivalent',
    'a store no longer invalidates the other CPUs\' copies: they keep a clean line with the same provenance as the dirty one (a store keeps provenance), and every invalidation a correct kernel makes drops them all; a load there returns the same provenance. (Data values are not modelled, see the write-back judgments)'),
  judge('memregion', 'hw/cpu-cache.ts', 'remove-call', 'remove `memoryWrite(hw, addr, l);`', 'memoryWrite(hw, addr, l);', 'equivalent', MR_PROVENANCE),
  judge('memregion', 'hw/device.ts', 'relational', '`>` → `>=`', "if (--d.overwrite > 0) return 'busy';", 'equivalent',
    'the device takes one more status poll to finish an overwrite: a slower device (the polls parameter), which a correct kernel waits for; the counter then ends at -1 instead of 0, which only `> 0` tests read'),
  judge('memregion', 'kernel/smp.ts', 'swap-across-yield', 'swap `c.irqsOff = true;` and `yield* func(x);`', 'c.irqsOff = true; ⏎ yield* func(x);', 'equivalent',
    'the local call runs with irqs on, so another CPU\'s IPI may nest in it; in memregion the function is __wbinvd() (one label point, then the WBINVD in one step) and a nested WBINVD on the same CPU leaves the same caches; the save/restore after it is one step (memregion has no other interrupts)'),
  // text-poke (campaign of 2026-11-30: 12% sample, seed 1)
  judge('text-poke', 'arch/x86/kernel/alternative.ts', 'increment', '`++` → `--` in `i++`', 'for (let i = 0; i < pages.length; i++) {', 'unreached', TP_FIXMAP),
  judge('text-poke', 'arch/x86/kernel/alternative.ts', 'remove-call', 'remove `flush_tlb_one_kernel(x, slots[i]!);`', 'flush_tlb_one_kernel(x, slots[i]!);', 'unreached', TP_FIXMAP),
  judge('text-poke', 'arch/x86/kernel/fpu/core.ts', 'remove-assignment', 'remove `t.fpu.last_cpu = -1;`', 't.fpu.last_cpu = -1;', 'unreached', TP_PASID),
  judge('text-poke', 'arch/x86/kernel/fpu/core.ts', 'logical', '`||` → `&&`', 'if (t.kthread || t.TIF_NEED_FPU_LOAD) return;', 'unreached', TP_PASID),
  judge('text-poke', 'arch/x86/kernel/fpu/core.ts', 'negate-condition', '`!fpregs_state_valid(k, id, cpu)` → `fpregs_state_valid(k, id, cpu)`', 'if (!fpregs_state_valid(k, id, cpu)) {', 'unreached', TP_PASID),
  judge('text-poke', 'arch/x86/kernel/fpu/core.ts', 'constant', '`cpu.ctx.length - 1`: 1 → 0', 'const top = cpu.ctx[cpu.ctx.length - 1]!.kind;', 'unreached', TP_PASID),
  judge('text-poke', 'arch/x86/kernel/fpu/core.ts', 'cpu-index', '`x.cpu()` → the next CPU', 'const cpu = k.cpus[x.cpu()]!;', 'unreached', TP_PASID),
  judge('text-poke', 'arch/x86/kernel/fpu/core.ts', 'swap-across-yield', 'swap `cpu.in_kernel_fpu = true;` and `if (!t.kthread && !t.TIF_NEED_FPU_LOAD) { t.TIF_NEED_FPU_...`', 'cpu.in_kernel_fpu = true; ⏎ if (!t.kthread && !t.TIF_NEED_FPU_LOAD) { ⏎ t.TIF_NEED', 'unreached', TP_PASID),
  judge('text-poke', 'arch/x86/kernel/fpu/core.ts', 'remove-assignment', 'remove `t.TIF_NEED_FPU_LOAD = true;`', 't.TIF_NEED_FPU_LOAD = true;', 'unreached', TP_PASID),
  judge('text-poke', 'arch/x86/kernel/fpu/core.ts', 'swap-across-yield', "swap `yield { fn: 'kernel_fpu_end', what: 'this_cpu_write(in_ke...` and `x.w.k.cpus[x.cpu()]!.in_kernel_fpu = false;`", "yield { fn: 'kernel_fpu_end', what: 'this_cpu_write(in_kernel_fpu, false); preem", 'unreached', TP_PASID),
  judge('text-poke', 'arch/x86/kernel/fpu/core.ts', 'swap-across-yield', "swap `yield { fn: 'fpu__clear_all', what: 'fpregs_mark_activate...` and `fpregs_mark_activate(x, t);`", "yield { fn: 'fpu__clear_all', what: 'fpregs_mark_activate()' }; ⏎ fpregs_mark_ac", 'unreached', TP_PASID),
  judge('text-poke', 'arch/x86/kernel/fpu/core.ts', 'cpu-index', '`x.cpu()` → the next CPU', 'k.cpus[x.cpu()]!.owner = -1;', 'unreached', TP_PASID),
  judge('text-poke', 'arch/x86/kernel/fpu/xstate.ts', 'equality', '`!==` → `===`', 'if (!compare.msr || x.w.k.cpus[x.cpu()]!.msr !== pasid) wrmsrl_pasid(x, pasid);', 'unreached', TP_PASID),
  judge('text-poke', 'arch/x86/kernel/fpu/xstate.ts', 'swap-across-yield', 'swap `yield { fn, what: `update the PASID of ${cur.name}` };` and `if (t.mm < 0) return;`', 'yield { fn, what: `update the PASID of ${cur.name}` }; ⏎ if (t.mm < 0) return; /', 'unreached', TP_PASID),
  judge('text-poke', 'arch/x86/kernel/fpu/xstate.ts', 'relational', '`<` → `<=`', 'if (t.mm < 0) return; // !current->mm', 'unreached', TP_PASID),
  judge('text-poke', 'arch/x86/kernel/fpu/xstate.ts', 'equality', '`===` → `!==`', "if (k.cfg.ipiTarget === 'mm' && (t.kthread || t.mm !== mm)) return;", 'unreached', TP_PASID),
  judge('text-poke', 'arch/x86/kernel/fpu/xstate.ts', 'remove-call', "remove `load_current_pasid(x, t, pasid, { msr: k.cfg.design === '...`", "load_current_pasid(x, t, pasid, { msr: k.cfg.design === 'ANDY-2020', image: true", 'unreached', TP_PASID),
  judge('text-poke', 'arch/x86/mm/tlb-flush.ts', 'increment', '`++` → `--` in `asid++`', 'for (let asid = 0; asid < TLB_NR_DYN_ASIDS; asid++) {', 'unreached',
    'clear_asid_other() runs only after flush_tlb_one_kernel() set invalidate_other, i.e. in the fixmap text_poke() (fixmap-pti, buggy); the temporary-mm pokes of every correct variant never call it'),
  judge('text-poke', 'arch/x86/mm/tlb-flush.ts', 'negate-condition', '`!x.w.k.cfg.X86_FEATURE_PTI` → `x.w.k.cfg.X86_FEATURE_PTI`', 'if (!x.w.k.cfg.X86_FEATURE_PTI) return;', 'unreached',
    `flush_tlb_one_kernel() is called only by the fixmap text_poke(): ${TP_FIXMAP}`),
  judge('text-poke', 'arch/x86/mm/tlb-flush.ts', 'relational', '`>=` → `>`', 'if (f.mm >= 0 && f.mm !== loaded_mm) return;', 'equivalent',
    'differs only for f->mm 0, init_mm, which no flush names: flush_tlb_mm_range() is called for poking_mm and user mms (ids ≥ 1), arch_tlbbatch_flush() passes -1 (NULL)'),
  judge('text-poke', 'arch/x86/mm/tlb-flush.ts', 'swap-across-yield', 'swap `if (m.mm_cpumask.some((on, cpu) => on && cpu !== x.cpu())...` and `preempt_enable(x);`', 'if (m.mm_cpumask.some((on, cpu) => on && cpu !== x.cpu())) yield* native_flush_t', 'gap',
    'flush_tlb_mm_range() sends and waits for the remote flushes after put_cpu(): preemptible, possibly migrated, so "this CPU" in the mask is another one; the model stays safe (the initiator\'s old CPU is flushed by the IPI, the new one by its tlb_gen check at the switch), but the kernel splats (smp_processor_id() in preemptible code). A kernel invariant over ghost.ipis ("an IPI is sent only with preemption or irqs disabled") would kill it'),
  judge('text-poke', 'arch/x86/mm/tlb-flush.ts', 'remove-call', 'remove `batch.fill(false);`', 'batch.fill(false);', 'equivalent',
    'the caller\'s batch (a local of the kernel thread) keeps the CPUs of earlier batches: later try_to_unmap_flush() calls flush them again, and an extra flush never makes a translation wrong'),
  judge('text-poke', 'arch/x86/mm/tlb.ts', 'cpu-index', '`x.cpu()` → the next CPU', 'const c = x.w.k.cpus[x.cpu()]!;', 'unreached', TP_PASID),
  judge('text-poke', 'arch/x86/mm/tlb.ts', 'constant', '`id + 2`: 2 → 3', 'mm: (x, id) => ({ mm_cpumask: x.w.k.mms[id]!.mm_cpumask, ctx_id: id + 2, tlb_gen', 'unreached', TP_PASID),
  judge('text-poke', 'kernel/locking/mutex.ts', 'remove-call', 'remove `finish_wait(x);`', 'finish_wait(x);', 'gap',
    'a task that slept on text_mutex returns from mutex_lock() still queued on its wait queue (in the kernel the waiter entry stays linked): nothing in text-poke checks the wait queues; memregion/quiescent\'s clause "no task ended queued on a wait queue", made a kernel invariant (properties/kernel.ts) for every protocol, would kill it'),
  judge('text-poke', 'kernel/smp.ts', 'drop-lock', 'remove `preempt_disable(x);`', 'preempt_disable(x);', 'unreached', TP_PASID),
  judge('text-poke', 'kernel/smp.ts', 'swap-across-yield', 'swap `c.irqsOff = true;` and `yield* func(x);`', 'c.irqsOff = true; ⏎ yield* func(x);', 'unreached', TP_PASID),
  judge('text-poke', 'mm/mmap.ts', 'swap-across-yield', "swap `yield { fn: 'tlb_finish_mmu', what: `free mm${mm}'s page-...` and `x.w.k.mms[mm]!.tablesFreed = true;`", "yield { fn: 'tlb_finish_mmu', what: `free mm${mm}'s page-table pages` }; ⏎ x.w.k", 'equivalent',
    'the page tables are marked freed one interleaving point earlier, right after the freed_tables flush: every reader finds the same (the walk and try_to_unmap() see an empty pgd either way, and that flush has switched every CPU off the mm, lazy ones to init_mm, so D-INV4 finds no CR3 on it)'),
  judge('text-poke', 'mm/pasid-types.ts', 'logical', '`||` → `&&`', "export const isLazy = (d: Design): boolean => d === 'LAZY-2020' || d === 'REFCNT", 'unreached', TP_PASID),
  // pasid (campaign of 2026-11-30: 12% sample, seed 1)
  judge('pasid', 'arch/x86/kernel/fpu/core.ts', 'swap-across-yield', "swap `yield { fn: 'kernel_fpu_end', what: 'this_cpu_write(in_ke...` and `x.w.k.cpus[x.cpu()]!.in_kernel_fpu = false;`", "yield { fn: 'kernel_fpu_end', what: 'this_cpu_write(in_kernel_fpu, false); preem", 'equivalent',
    'in_kernel_fpu is cleared one point earlier, with preemption still disabled: the state at that point (the section over, in_kernel_fpu false, preempt_enable() not yet done) is the kernel\'s own between this_cpu_write() and preempt_enable(), which the model merges; an interrupt there finds irq_fpu_usable() true and TIF_NEED_FPU_LOAD set, and writes the image, as it would in the kernel'),
  judge('pasid', 'arch/x86/kernel/fpu/core.ts', 'swap-across-yield', "swap `yield { fn: 'fpu__clear_all', what: 'fpregs_mark_activate...` and `fpregs_mark_activate(x, t);`", "yield { fn: 'fpu__clear_all', what: 'fpregs_mark_activate()' }; ⏎ fpregs_mark_ac", 'equivalent',
    'the init MSR write and fpregs_mark_activate() become one step (a window removed), and the moved label point then sits before fpregs_unlock() with preemption still off: an interrupt there sees what it sees at local_bh_enable()\'s point in the model (irq_fpu_usable() reads in_kernel_fpu and the softirq count, not the preempt count); a subset of the runs'),
  judge('pasid', 'arch/x86/kernel/fpu/core.ts', 'cpu-index', '`x.cpu()` → the next CPU', 'k.cpus[x.cpu()]!.owner = -1;', 'unreached',
    'fpu__drop() at exec (flushThread \'reset_fpregs-drop\') runs only in 5.18-fixed, exec-fpu-drop and the 2021/2020 lazy designs built on it, all buggy; mainline-exec-clear invalidates with __fpu_invalidate_fpregs_state(), the eager designs use fpu__clear_all()'),
  judge('pasid', 'arch/x86/kernel/fpu/xstate.ts', 'swap-across-yield', 'swap `yield { fn, what: `update the PASID of ${cur.name}` };` and `if (t.mm < 0) return;`', 'yield { fn, what: `update the PASID of ${cur.name}` }; ⏎ if (t.mm < 0) return; /', 'equivalent',
    'the IPI handler tests current->mm one step earlier: the interrupted task cannot change its own mm while it is interrupted, and nothing else writes it, so both steps read the same value'),
  judge('pasid', 'arch/x86/kernel/fpu/xstate.ts', 'equality', '`===` → `!==`', "if (k.cfg.ipiTarget === 'mm' && (t.kthread || t.mm !== mm)) return;", 'equivalent',
    'the handler always loads current\'s own mm\'s PASID (ipiTarget is never \'unchecked\' in a correct variant): dropping Andy\'s filter only adds loads of the value a user task of another mm already holds, and loads into a kernel thread using an mm, which ipi-5.10-fpu-safe (correct) makes too; adding the filter to IPI-5.10 only removes such loads'),
  judge('pasid', 'arch/x86/kernel/traps.ts', 'remove-assignment', 'remove `x.cpuState().irqsOff = false;`', 'x.cpuState().irqsOff = false;', 'unreached', PA_FIXUP_IRQ_ON),
  judge('pasid', 'arch/x86/kernel/traps.ts', 'equality', '`===` → `!==`', 'if (pasid === INVALID) return false;', 'unreached', PA_FIXUP_IRQ_ON),
  judge('pasid', 'arch/x86/kernel/traps.ts', 'logical', '`&&` → `||`', 'if (k.cfg.fixupFindsIoasid && !k.ioasid.owner[pasid]?.data) return false; // ioa', 'unreached', PA_FIXUP_IRQ_ON),
  judge('pasid', 'arch/x86/kernel/traps.ts', 'remove-call', 'remove `yield* fpu__pasid_write(x, pasid);`', 'yield* fpu__pasid_write(x, pasid);', 'unreached', PA_FIXUP_IRQ_ON),
  judge('pasid', 'arch/x86/kernel/traps.ts', 'swap-across-yield', "swap `fpregs_lock(x);` and `yield { fn: 'fpu__pasid_write', what: 'fpregs_lock(); tes...`", "fpregs_lock(x); ⏎ yield { fn: 'fpu__pasid_write', what: 'fpregs_lock(); test_thr", 'unreached', PA_FIXUP_IRQ_ON),
  judge('pasid', 'arch/x86/kernel/traps.ts', 'remove-call', 'remove `xstate_write_pasid(x, t, pasid);`', 'xstate_write_pasid(x, t, pasid);', 'unreached', PA_FIXUP_IRQ_ON),
  judge('pasid', 'arch/x86/mm/tlb.ts', 'negate-condition', '`asid < TLB_NR_DYN_ASIDS` → `!(asid < TLB_NR_DYN_ASIDS)`', 'for (let asid = 0; asid < TLB_NR_DYN_ASIDS; asid++) {', 'unreached',
    'choose_new_asid() returns before the slot search when PCIDs are off, and PASID_OPS model none'),
  judge('pasid', 'arch/x86/mm/tlb.ts', 'remove-assignment', 'remove `ts.is_lazy = false;`', 'ts.is_lazy = false;', 'equivalent', PA_NO_PCID),
  judge('pasid', 'arch/x86/mm/tlb.ts', 'remove-assignment', 'remove `next_tlb_gen = n.tlb_gen;`', 'next_tlb_gen = n.tlb_gen;', 'equivalent', PA_NO_PCID),
  judge('pasid', 'arch/x86/mm/tlb.ts', 'remove-assignment', 'remove `({ new_asid, need_flush } = choose_new_asid(x, ops, next,...`', '({ new_asid, need_flush } = choose_new_asid(x, ops, next, next_tlb_gen));', 'equivalent', PA_NO_PCID),
  judge('pasid', 'arch/x86/mm/tlb.ts', 'negate-condition', '`need_flush` → `!need_flush`', 'if (need_flush) ts.ctxs[new_asid] = { ctx_id: ops.mm(x, next).ctx_id, tlb_gen: n', 'equivalent', PA_NO_PCID),
  judge('pasid', 'arch/x86/mm/tlb.ts', 'equality', '`===` → `!==`', 'if (ts.loaded_mm === ops.init_mm) return;', 'unreached', PA_TEXT_POKE),
  judge('pasid', 'arch/x86/mm/tlb.ts', 'constant', '`id + 2`: 2 → 3', 'mm: (x, id) => ({ mm_cpumask: x.w.k.mms[id]!.mm_cpumask, ctx_id: id + 2, tlb_gen', 'equivalent', PA_NO_PCID),
  judge('pasid', 'drivers/dma/idxd/cdev.ts', 'swap-across-yield', 'swap `if (!(yield* iommu_sva_bind_device(x, dev, t.mm))) { // d...` and `k.files[file]!.bound = true;`', 'if (!(yield* iommu_sva_bind_device(x, dev, t.mm))) { ⏎ // do_dentry_open() faile', 'equivalent',
    'the file is marked bound before the bind: it is in no fd table until fd_install() after the bind, so nothing reads the flag meanwhile, and on a failed bind the VFS drops it (refs 0) without ->release(), the flag\'s only reader'),
  judge('pasid', 'drivers/iommu/ioasid.ts', 'negate-condition', '`o` → `!o`', 'if (o) o.refs++;', 'unreached', PA_REFCOUNT),
  judge('pasid', 'drivers/iommu/ioasid.ts', 'remove-call', 'remove `ioasid_free(x, mm, pasid);`', 'ioasid_free(x, mm, pasid);', 'unreached', PA_REFCOUNT),
  judge('pasid', 'drivers/iommu/iommu-sva-lib.ts', 'remove-assignment', 'remove `m.pasid = INVALID;`', 'if (ioasid_put(x, mm, pasid)) m.pasid = INVALID; // iommu_sva_free_pasid()', 'unreached', PA_REFCOUNT),
  judge('pasid', 'drivers/iommu/iommu-sva-lib.ts', 'swap-across-yield', "swap `yield* load_pasid(x, mm, INVALID);` and `yield { fn: 'intel_svm_unbind_mm', what: `ioasid_free(${p...`", "yield* load_pasid(x, mm, INVALID); ⏎ yield { fn: 'intel_svm_unbind_mm', what: `i", 'equivalent',
    'the label point moves before load_pasid(), whose first action is mutex_lock()\'s own interleaving point (no state change between: no new state), and ioasid_free() joins load_pasid()\'s last step (the window between the clear and the free removed): a subset of the runs'),
  judge('pasid', 'drivers/iommu/iommu-sva-lib.ts', 'equality', '`===` → `!==`', "const fn = x.w.k.cfg.design === 'LAZY-2020' ? 'destroy_context' : 'mm_pasid_drop", 'equivalent',
    'only the name of the interleaving point in traces changes; no check reads it'),
  judge('pasid', 'kernel/entry-common.ts', 'swap-across-yield', "swap `yield { fn: 'entry_SYSCALL_64', what: name };` and `ptask(x).inUser = false;`", "yield { fn: 'entry_SYSCALL_64', what: name }; ⏎ ptask(x).inUser = false;", 'equivalent',
    'the task leaves user mode one point earlier: the state at the label point (in the kernel, nothing else done) is the one the model reaches at the system call\'s next interleaving point, which follows with no state change between, so no new state; the window in user mode before the label is removed (a subset)'),
  judge('pasid', 'kernel/exec.ts', 'swap-across-yield', "swap `yield { fn: 'exec_mmap', what: 'local_irq_disable(); tsk-...` and `t.mm = mm_alloc(x);`", "yield { fn: 'exec_mmap', what: 'local_irq_disable(); tsk->mm = new mm; activate_", 'equivalent',
    'tsk->mm names the new mm one point early, with irqs still on and the old mm loaded: the only readers then are PASID IPI handlers, which for the old mm now skip (Andy\'s filter) or load the new mm\'s INVALID (IPI-5.10), and exec\'s fpu_flush_thread() resets the task\'s PASID state right after either way; the new mm is unknown to everyone else yet'),
  judge('pasid', 'kernel/exit.ts', 'swap-across-yield', "swap `yield* pasid_put(x, mm);` and `yield { fn: 'exit_mm', what: 'current->mm = NULL' };`", "yield* pasid_put(x, mm); ⏎ yield { fn: 'exit_mm', what: 'current->mm = NULL' };", 'equivalent',
    'pasid_put() returns at once without an interleaving point unless pasidFree is \'refcount\' (REFCNT-2021, buggy): in the correct variants both orders run the same steps'),
  judge('pasid', 'kernel/exit.ts', 'swap-across-yield', "swap `yield { fn: 'exit_mm', what: 'current->mm = NULL' };` and `t.mm = -1;`", "yield { fn: 'exit_mm', what: 'current->mm = NULL' }; ⏎ t.mm = -1;", 'equivalent',
    'current->mm = NULL joins the previous step: the state at the moved label point is the model\'s state at mmput()\'s first interleaving point, which follows with no state change between, so no new state; a window is removed (a subset)'),
  judge('pasid', 'kernel/fork.ts', 'remove-call', 'remove `yield* mm_pasid_drop(x, mm);`', "if (x.w.k.cfg.pasidFree === 'mmput') yield* mm_pasid_drop(x, mm);", 'unreached',
    'mm_pasid_drop() in __mmput() (pasidFree \'mmput\') is 5.18-original (C.4 #7, buggy); the correct variants free on __mmdrop or on the last unbind'),
  judge('pasid', 'kernel/fork.ts', 'equality', '`===` → `!==`', "x.emit({ type: kind === 'clone' ? 'CLONE' : 'FORK', parent: parentId, child: chi", 'equivalent',
    'the statechart treats FORK and CLONE alike (guard freshTask: the child is not activated, action forget; the event carries the child\'s mm either way), so swapping the names reports the same thing'),
  judge('pasid', 'kernel/kthread.ts', 'swap-across-yield', "swap `yield { fn: 'kthread_unuse_mm', what: 'tsk->mm = NULL (th...` and `t.mm = -1;`", "yield { fn: 'kthread_unuse_mm', what: 'tsk->mm = NULL (the mm stays loaded lazil", 'equivalent',
    'tsk->mm = NULL joins the previous step: the state at the moved label point is the model\'s state at mmdrop()\'s first interleaving point, which follows with no state change between; a window is removed (a subset)'),
  judge('pasid', 'kernel/kthread.ts', 'swap-across-yield', 'swap `t.mm = -1;` and `yield* mmdrop(x, mm);`', 't.mm = -1; ⏎ yield* mmdrop(x, mm);', 'equivalent',
    'the kernel thread keeps tsk->mm through mmdrop(), which cannot free the mm (the thread still holds mm_users, hence a count): the only readers of tsk->mm meanwhile are PASID IPI handlers, which act as during the use of the mm just before (Andy\'s filter skips kernel threads; IPI-5.10 loads the used mm\'s PASID, as it may a moment earlier)'),
  judge('pasid', 'kernel/locking/mutex.ts', 'remove-call', 'remove `finish_wait(x);`', 'finish_wait(x);', 'gap', PA_WAITQ),
  judge('pasid', 'kernel/smp.ts', 'swap-across-yield', 'swap `c.irqsOff = true;` and `yield* func(x);`', 'c.irqsOff = true; ⏎ yield* func(x);', 'equivalent',
    'the local PASID handler runs with irqs on, so an interrupt may nest at its label point, before its body (one step that re-reads everything): a nested FPU user leaves TIF_NEED_FPU_LOAD set and the body writes the image, a nested PASID IPI loads current\'s own mm\'s PASID too; the handler finds what it would had the interrupt come just before on_each_cpu_mask()'),
  judge('pasid', 'mm/pasid-types.ts', 'logical', '`||` → `&&`', "export const isLazy = (d: Design): boolean => d === 'LAZY-2020' || d === 'REFCNT", 'equivalent',
    'isLazy() changes only for LAZY-2020 and REFCNT-2021, designs only buggy variants run; for MM-LIFETIME-5.18, ANDY-2020 and IPI-5.10 it returns what it did'),
  judge('pasid', 'mm/text-poke-types.ts', 'constant', '`asid + 1`: 1 → 0', 'export const kern_pcid = (asid: number): number => asid + 1;', 'unreached', PA_TEXT_POKE),
]);
