/**
 * Survivors judged by reading the mutant against the kernel source, the workloads and the
 * invariants:
 * - 'equivalent': no run of a correct variant can tell the mutant from the model (the reason says why);
 * - 'catalogued': the mutant is a catalogued bug of the protocol (its toggle's behaviour), killed by
 *   that buggy variant's own workload and test, which the correct variants' workloads do not make;
 * - 'gap': a real difference the checks miss (the reason says which workload or invariant would catch it);
 * - 'unreached': code no correct variant runs (a configuration left out), so nothing can kill it.
 * Equivalent and catalogued survivors leave the score's denominator; gaps and unreached ones stay in it.
 * Keyed by mutantKey (protocol, file, kind, mutation, start of the original line): a judgment holds for one
 * protocol's correct variants, and survives unrelated edits.
 */
import { mutantKey } from './results.js';

export interface Judgment { verdict: 'equivalent' | 'catalogued' | 'gap' | 'unreached'; reason: string }

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
const LOONGARCH = 'the cfg.loongarchCopy branch is taken only by the loongarch-copy-lifo buggy variant (a toggle the mutator does not recognise: it is not cfg.mutant); no correct variant runs it';
const DROPPED_SECTION = 'the caller model loses a whole section (the map is not called, the matching unmap finds no handle and is skipped): a smaller legal workload, which a correct kernel runs correctly';
const OTHER_HANDLE = 'the caller reads or writes through another mapping it still holds (or, past the top, none; or writes for reads): another legal workload, which a correct kernel runs correctly';
const DROPPED_OP = 'runOps() is the caller model: dropping an operation gives a smaller legal workload (one the swarm generator also makes), which a correct kernel runs correctly';
const IRQ_OPS = 'irq_on/irq_off operations are generated only for the hardirq-irqs-on buggy variant (shape.irqsOnInHardirq); no correct variant runs them';
const NO_IPIS = 'when no IPI was sent, the wait is a label-only point whose condition already holds (every() of nothing), with no write after it: a step split in two, no new state';
const ENV = 'pkmapTranslations() is the environment (speculative TLB fills), not kernel code: with fewer fills a correct kernel stays correct; the mutant only weakens the search, which the M-B5 variants\' tests (stale translations) would show';
const NO_HIGHMEM = 'page-protection runs with HIGHMEM off: kmap() never reaches the pkmap pool, its flush or its IPIs, so this code is not run there (the kmap campaign covers it)';
const SUBSET = 'the change only takes choices away at one interleaving point (a disable moved before it, or irqs off while waiting): the mutant\'s runs are a subset of the model\'s, and nothing reads the moved state at that point';

export const JUDGED = new Map<string, Judgment>([
  judge('kmap', 'mm/highmem-local.ts', 'relational', '`>=` → `>`', "const overflow = k.cfg.mutant === 'M-B4-bound' ? c.idx > k.KM_MAX_IDX : c.idx >= k.K", 'catalogued',
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
  judge('kmap', 'mm/highmem-local.ts', 'remove-assignment', "remove `k.kmap_ctrl[t.id] = { idx: 0, pteval: pc.pteval.map(() =>...`", "k.kmap_ctrl[t.id] = { idx: 0, pteval: pc.pteval.map(() => 0) };", 'catalogued',
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
  judge('kmap', 'mm/kmap-callers.ts', 'remove-call', "remove `yield* kunmap_local(x, vfrom, from);`", "yield* kunmap_local(x, vfrom, from);", 'catalogued', LOONGARCH),
  judge('kmap', 'mm/kmap-callers.ts', 'swap-across-yield', "swap `yield* kunmap_local(x, vfrom, from);` and `yield* kunmap_local(x, vto, to);`", "yield* kunmap_local(x, vfrom, from); ⏎ yield* kunmap_local(x, vto, to); // unrea", 'catalogued', LOONGARCH),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-call', "remove `yield* kunmap_local(x, vto, to);`", "yield* kunmap_local(x, vto, to); // unreached: the statechart refuses the out-of", 'catalogued', LOONGARCH),
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
  judge('kmap', 'mm/kmap-callers.ts', 'swap-across-yield', "swap `yield { fn: 'local_irq_enable', what: 'sti' };` and `x.cpuState().irqsOff = false;`", "yield { fn: 'local_irq_enable', what: 'sti' }; ⏎ x.cpuState().irqsOff = false;", 'catalogued', IRQ_OPS),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-assignment', "remove `x.cpuState().irqsOff = false;`", "x.cpuState().irqsOff = false;", 'catalogued', IRQ_OPS),
  judge('kmap', 'mm/kmap-callers.ts', 'swap-across-yield', "swap `yield { fn: 'local_irq_disable', what: 'cli' };` and `x.cpuState().irqsOff = true;`", "yield { fn: 'local_irq_disable', what: 'cli' }; ⏎ x.cpuState().irqsOff = true;", 'catalogued', IRQ_OPS),
  judge('kmap', 'mm/kmap-callers.ts', 'remove-assignment', "remove `x.cpuState().irqsOff = true;`", "x.cpuState().irqsOff = true;", 'catalogued', IRQ_OPS),
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
  judge('page-protection', 'mm/memremap-param.ts', 'negate-condition', "`!sysfs_streq(val, 'strict')` → `sysfs_streq(val, 'strict')`", "if (!sysfs_streq(val, 'strict')) return { ok: true, mode: 'STRICT' };", 'catalogued',
    'the V7 parser (parser: \'v7\') is the inverted sysfs_streq() bug, run only by its buggy variant; no correct variant parses with it'),
  // pasid (sampled)
  judge('pasid', 'mm/pasid-types.ts', 'equality', "`===` → `!==`", "export const pasidStr = (p: number): string => (p === INVALID ? 'INVALID' : `${p", 'equivalent',
    'pasidStr() only formats a PASID for traces and reports; no check reads it'),
]);
