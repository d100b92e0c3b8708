/**
 * Variants of page protection: each design of page-protection.md A.0, each known bug of A.4 and
 * each mutant of A.5 as a named, cited configuration. A variant also states what its design
 * documents (which faults a non-STRICT mode forgives, which weakening it accepts): the spec's
 * input, never read by the kernel model. The checks never look at a variant's name.
 */
import type { Variant } from '../src/protocol.js';
import type { PksConfig, PksMode } from '../src/kernel/arch/x86/include/asm/pks.js';
import type { Forgive, Weakening } from '../model/page-protection.machine.js';
import type { PpShape } from './page-protection-workload.js';

export interface PpVariantConfig {
  kernel: PksConfig;
  shape: PpShape;
  /** what the design documents: which faults non-STRICT modes forgive, what it gives up */
  claims: { forgive: Forgive; weakening: Weakening };
}

type V = Variant<PpVariantConfig>;
type Design = Pick<PpVariantConfig, 'claims'> & { kernel: PksConfig; shape: PpShape };

const TWO: PksMode[] = ['STRICT', 'RELAXED'];
const base: PksConfig = {
  design: 'V10', param: 'strict', parser: 'fixed', modes: TWO, entry: 'thread', saveCount: false,
  schedIn: 'every-switch', globalRestrict: 'lazy', putCpuPtr: false,
};
const shape0: PpShape = {
  kmap: false, oneKmapper: false, handoff: false, foreignKunmap: 'none', crossNesting: 'none', irqs: 'none', irqGrants: [],
  stray: 'all', secondKey: true, bh: 'outside', forks: true, tif: false, isolatedCpu: false, paramWrites: [],
};

const design = (kernel: Partial<PksConfig>, shape: Partial<PpShape>, forgive: Forgive, weakening: Weakening): Design =>
  ({ kernel: { ...base, ...kernel }, shape: { ...shape0, ...shape }, claims: { forgive, weakening } });

// interrupts share the thread's PKRS: a bh region may sit inside a grant; pks_set in an
// interrupt would close the thread's own direct grant (not refcounted), so interrupts kmap_local only
const RFC = design({ design: 'V-RFC', entry: 'none', modes: ['STRICT'] },
  { kmap: true, crossNesting: 'both', irqs: 'nested', irqGrants: ['local'], bh: 'inside' }, 'never', 'irq-inherits');
const GLOBAL = design({ design: 'V-GLOBAL', entry: 'live', saveCount: true, modes: ['STRICT'] },
  { kmap: true, oneKmapper: true, handoff: true, irqs: 'nested', irqGrants: ['local'], secondKey: false }, 'never', 'time-slice');
const V3 = design({ design: 'V3', entry: 'live', modes: ['STRICT'] }, { irqs: 'nested', tif: true }, 'never', 'none');
// a softirq run from local_bh_enable() has no regs of its own: a fault forgiven there would
// unprotect the task it runs on (V-TGLX-bh-softirq), so forgiving modes have no bh regions
const TGLX = design({ design: 'V-TGLX', entry: 'live', saveCount: true, modes: ['STRICT', 'RELAXED', 'SILENT', 'OFF'], param: 'relaxed' },
  { kmap: true, handoff: true, foreignKunmap: 'any', crossNesting: 'both', irqs: 'nested', irqGrants: ['local', 'set'], bh: 'none' }, 'kmapped', 'extended-window');
// without kmap() callers a RELAXED V-TGLX forgives nothing: the mode may change at runtime
const TGLX_STRICT = {
  ...TGLX, kernel: { ...TGLX.kernel, param: 'strict' },
  shape: { ...TGLX.shape, kmap: false, handoff: false, foreignKunmap: 'none' as const, crossNesting: 'none' as const, bh: 'outside' as const, paramWrites: ['relaxed\n', 'strict', 'bogus'] },
};
// the parameter as `echo strict > /sys/module/memremap/parameters/pks_fault_mode` writes it;
// hardirqs that touch no device memory (V10 31/44: "Access to device memory during exceptions
// (#PF) is expected only from user faults"), no softirqs (a hardirq nested in one is A.4 #12)
const V10 = design({ param: 'strict\n' }, { irqs: 'hardirq', stray: 'task', paramWrites: ['strict\n', 'bogus'] }, 'any', 'none');
// V9 41/45: "'relaxed' (default) -- WARN_ONCE, removed the protections, and continuing to operate"
const V10_RELAXED = { ...V10, kernel: { ...V10.kernel, param: 'relaxed' }, claims: { forgive: 'any' as const, weakening: 'sticky-override' as const } };

/** The callers of the bh findings: kmap_local sections with bh regions inside, softirqs (nothing else to wait for). */
const BH: Partial<PpShape> = {
  bh: 'inside', irqs: 'softirq', irqGrants: [], stray: 'irq', secondKey: false, tif: false, kmap: false, handoff: false,
  foreignKunmap: 'none', crossNesting: 'none', paramWrites: [], forks: false, maxTasks: 1, isolatedCpu: true,
};

const correct = (name: string, d: Design, description: string, source: string): V =>
  ({ name, buggy: false, description, source, config: d });
const buggy = (name: string, d: Design, expect: string, description: string, source: string,
  kernel: Partial<PksConfig> = {}, shape: Partial<PpShape> = {}, also: string[] = []): V => ({
  name, buggy: true, description, source, expect, ...(also.length ? { alsoCaughtBy: also } : {}),
  config: { ...d, kernel: { ...d.kernel, ...kernel }, shape: { ...d.shape, ...shape } },
});

const S = {
  rfc: 'RFC V1 <20200714070220.3500839-1-ira.weiny@intel.com>; RFC V2 13/17 <20200717072056.73134-14-ira.weiny@intel.com>',
  global: '01/58 <20201009195033.3208459-2-ira.weiny@intel.com>; 03/58 <20201009195033.3208459-4-ira.weiny@intel.com>',
  v3: 'PKS core V3 (Nov 2020) reviewed by tglx <871rfoscz4.fsf@nanos.tec.linutronix.de>',
  tglx: 'tglx <878s9vqkrk.fsf@nanos.tec.linutronix.de>, <873602redz.fsf@nanos.tec.linutronix.de>',
  v10: 'V10 21/44, 31/44-33/44 <20220419170649.1022246-22/-32/-33/-34-ira.weiny@intel.com>',
  relaxed: 'V9 30/45 pks_update_exception() <20220310172019.850939-31-ira.weiny@intel.com>; V9 41/45 memremap.pks_fault_mode <20220310172019.850939-42-ira.weiny@intel.com>',
  bh: 'checker finding [inference]: only irqentry saves PKRS (V10 21/44 <20220419170649.1022246-22-ira.weiny@intel.com>), do_softirq() from local_bh_enable() is no irqentry',
  nest: 'Ira <20201218194249.GE1563847@iweiny-DESK2.sc.intel.com>; tglx <873602redz.fsf@nanos.tec.linutronix.de>',
};
const P = 'page-protection/';

export const ppVariants: V[] = [
  correct('V-RFC', RFC, 'per-task dev_page_access_ref via dev_access_enable/disable from kmap() and kmap_local; PKRS switched on context switch only, so interrupts run with the interrupted thread\'s PKRS (documented: "not during irqs")', S.rfc),
  correct('V-GLOBAL', GLOBAL, 'kmap() grants globally (lazy, spurious-fault path), kmap_local locally; count saved and zeroed per exception; the global restrict reaches other CPUs at their next context switch ("until the end of its time slice"); one task calls kmap()', `${S.global}; ${S.nest}`),
  correct('V3', V3, 'write_pkrs() with per-CPU pkrs_cache, irqentry_state keeps PKRS, pks_sched_in() on every switch (as fixed after review)', S.v3),
  correct('V-TGLX-strict', TGLX_STRICT, 'tglx: kmap_local grants per context; STRICT: any PK fault dies (kmap() of protected pages unsupported)', S.tglx),
  correct('V-TGLX-relaxed', TGLX, 'tglx: kmap()/kunmap() count page->unprotect; a PK fault on an unprotected page WARNs once and temporary_unprotect()s the faulting context until it is left (the "extended window")', S.tglx),
  correct('V-TGLX-silent', { ...TGLX, kernel: { ...TGLX.kernel, param: 'silent' } }, 'tglx SILENT: as RELAXED without the WARN', S.tglx),
  correct('V-TGLX-off', { ...TGLX, kernel: { ...TGLX.kernel, param: 'off' }, shape: { ...TGLX.shape, bh: 'outside' } }, 'tglx OFF: protection disabled, stray writes succeed by configuration', S.tglx),
  correct('V10', V10, 'V10 STRICT in its stated scope: kmap_local/kmap_atomic only, device memory written from thread context ("Access to device memory during exceptions (#PF) is expected only from user faults"); hardirqs that touch none; a second key granted with pks_set_readwrite()', S.v10),
  correct('V10-relaxed', V10_RELAXED, 'V10 RELAXED as documented: a PK fault WARNs once and pks_update_exception() "removed the protections" for the faulting thread, which keeps the key open until its own grants next drop to none (weakening sticky-override, reported as strong-form findings)', `${S.v10}; ${S.relaxed}`),

  buggy('V3-switch_to_xtra', V3, `${P}A-INV2-msr-tracks-context`, 'A.4 #1: pks_sched_in() inside __switch_to_xtra(), which runs only when a TIF work flag is set: the next task runs with the previous task\'s PKRS',
    `${S.v3}; Ira <20201218040513.GB2506510@iweiny-DESK2.sc.intel.com>`, { schedIn: 'switch_to_xtra' }),
  buggy('M-A1', V3, `${P}A-INV2-msr-tracks-context`, 'M-A1: sched-in restores PKRS from the wrong (previous) task', 'page-protection.md M-A1', { schedIn: 'prev-task' }),
  buggy('V-GLOBAL-put_cpu_ptr', GLOBAL, 'kernel/counts', 'A.4 #2a: update_global_pkrs() pairs per_cpu_ptr() with put_cpu_ptr(): each forced restrict unbalances the preempt count',
    `tglx <87mtycqcjf.fsf@nanos.tec.linutronix.de>; ${S.global}`, { globalRestrict: 'ipi', putCpuPtr: true }, { handoff: false }),
  buggy('V-GLOBAL-remote-rmw', GLOBAL, `${P}A-INV2-msr-tracks-context`, 'A.4 #2b: update_global_pkrs() read-modify-writes the remote CPU\'s pkrs_cache and sends the value by IPI: the cache and the MSR disagree, updates are lost',
    `tglx <87mtycqcjf.fsf@nanos.tec.linutronix.de>; 01/58 race diagram`, { globalRestrict: 'remote-rmw' }, { handoff: false }),
  buggy('V-GLOBAL-ipi-every-cpu', GLOBAL, `${P}cpu-isolation`, 'A.4 #2c: the forced restrict sends wrmsrl_on_cpu() to every online CPU, isolated ones included ("1-25 ms on 256 CPUs", breaks CPU isolation)',
    'tglx <87mtycqcjf.fsf@nanos.tec.linutronix.de>', { globalRestrict: 'ipi' }, { handoff: false, isolatedCpu: true }),
  buggy('V-GLOBAL-kmap-nesting', GLOBAL, `${P}A-INV7-global`, 'A.4 #3 [inference]: kmap(); kmap_local_page(); kunmap(); kunmap_local(); with one count for global and local grants: the global grant is never revoked. Checker: confirmed (6 steps, one CPU; or A-INV2/A-INV1 when another task is switched in under the leaked grant first); harmless in V-RFC, whose grants are all per task',
    S.nest, {}, { crossNesting: 'forward', handoff: false }, [`${P}A-INV1-no-unguarded-access`, `${P}A-INV2-msr-tracks-context`]),
  buggy('V-GLOBAL-kmap-nesting-mirror', GLOBAL, `${P}A-INV4-refcount`, 'A.4 #3 mirror: kmap_local_page(); kmap(); kunmap_local(); kunmap(); the last revoke is global only: the local grant stays in thread.pkrs. Checker: confirmed',
    S.nest, {}, { crossNesting: 'mirror', handoff: false }),
  buggy('V-GLOBAL-two-kmappers', GLOBAL, `${P}A-INV4-refcount`, 'A.4 #4: two tasks kmap() the same key: the counts are per task but the global value is one, so the first kunmap() revokes the other\'s grant ("would never work at all because the refcounting is per thread and not global")',
    'tglx <878s9vqkrk.fsf@nanos.tec.linutronix.de>', {}, { oneKmapper: false, handoff: false }, [`${P}legit-never-dies`]),
  buggy('V-RFC-kunmap-elsewhere', RFC, `${P}A-INV4-refcount`, 'A.4 #4: kmap() in one task, kunmap() in another: the per-task count of one goes negative (or, if it holds a kmap() of its own, drops to 0 under it: its legitimate write dies), the other leaks',
    `${S.nest}; tglx <878s9vqkrk.fsf@nanos.tec.linutronix.de>`, {}, { foreignKunmap: 'task', crossNesting: 'none' }, [`${P}legit-never-dies`]),
  buggy('V-RFC-kmap-handoff', RFC, `${P}legit-never-dies`, 'A.4 #4: a kmap() address handed to another context: the grant was per task, so the legitimate user faults and dies',
    `${S.rfc}; ${S.nest}`, {}, { handoff: true, crossNesting: 'none' }),
  buggy('V7-parse', V10, `${P}A-INV9-mode`, 'A.4 #8: V7 param_set_pks_fault_mode() tests !sysfs_streq(): "strict" selects RELAXED',
    'Ira <20210817031242.GF3169279@iweiny-DESK2.sc.intel.com> (found by Rick Edgecombe)', { parser: 'v7' }),
  buggy('V10-relaxed-sticky', V10, `${P}A-INV4-refcount`, 'A.4 #9 [inference], judged by tglx\'s bound ("undone when the context is left"): a RELAXED override in thread context is written to thread.pkrs by pks_update_exception() and survives the context switch. Checker: confirmed with a single stray write (the key stays open after the thread is left); V10-relaxed is the same code judged by the series\' own documentation',
    `${S.v10}; ${S.relaxed}`, { param: 'relaxed' }),
  buggy('V10-irq-kmap_local', V10, `${P}legit-never-dies`, 'A.4 #10 [inference]: an interrupt kmap_local()s while the task holds a grant: the shared count goes 1→2 with no write, entry had set PKS_INIT_VALUE, the legitimate write dies. Checker: confirmed (STRICT oopses the interrupt\'s own kmap_local write)',
    `V10 31/44 <20220419170649.1022246-32-ira.weiny@intel.com>`, {}, { irqGrants: ['local'], stray: 'none', secondKey: false }),
  buggy('V10-nested-exception', V10, `${P}A-INV3-exception-isolation`, 'A.4 #12 [inference]: pks_save_pt_regs() saves current->thread.pkrs, not the live value: when an interrupt nested in another exception returns, the outer one runs with the thread\'s grants. Checker: confirmed (a #PF inside a hardirq hands the hardirq the thread\'s grant: 5 steps)',
    `V10 21/44 <20220419170649.1022246-22-ira.weiny@intel.com>`, {}, { irqs: 'nested', stray: 'all' }),
  buggy('V10-pks_set-in-irq', V10, `${P}A-INV3-exception-isolation`, 'A.4 #12, second half [inference]: pks_set_readwrite() in an interrupt computes from current->thread.pkrs, so the interrupt also gets the interrupted thread\'s grant of the other key. Checker: confirmed with the second key (PKS_KEY_TEST)',
    `V10 21/44 <20220419170649.1022246-22-ira.weiny@intel.com>; V9 30/45 <20220310172019.850939-31-ira.weiny@intel.com>`, {}, { irqGrants: ['set'] }),
  buggy('V10-bh-softirq', V10, `${P}A-INV3-exception-isolation`, 'a softirq run from local_bh_enable() inside a kmap_local section gets no pks_save_pt_regs(): it runs with the task\'s PKRS, grant included, and a stray write from it succeeds. Checker finding',
    S.bh, {}, BH, [`${P}stray-write`]),
  buggy('V3-bh-softirq', V3, `${P}A-INV3-exception-isolation`, 'as V10-bh-softirq for V3: only irqentry saves PKRS, so a softirq run from local_bh_enable() inherits the task\'s grant. Checker finding',
    S.bh, {}, BH, [`${P}stray-write`]),
  buggy('V-GLOBAL-bh-softirq', GLOBAL, `${P}A-INV3-exception-isolation`, 'as V10-bh-softirq for V-GLOBAL: a softirq run from local_bh_enable() keeps the task\'s PKRS and count. Checker finding',
    S.bh, {}, BH, [`${P}stray-write`]),
  buggy('V-TGLX-bh-softirq', TGLX, `${P}A-INV3-exception-isolation`, 'as V10-bh-softirq for tglx\'s design: no extended regs are saved for a softirq run from local_bh_enable(), so it runs with the task\'s kmap_local grant (and in RELAXED a temporary unprotect forgiven in it lands in the live PKRS the task continues with: see V-TGLX-relaxed\'s scope). Checker finding',
    S.bh, {}, BH, [`${P}stray-write`]),
  buggy('M-A2-inc', V10, `${P}A-INV4-refcount`, 'M-A2: RW written on count++ != 0 instead of the first grant', 'page-protection.md M-A2', { mutant: 'M-A2-inc' }),
  buggy('M-A2-dec', V10, `${P}A-INV4-refcount`, 'M-A2: NoAccess written on every decrement, closing nested grants early', 'page-protection.md M-A2', { mutant: 'M-A2-dec' }),
  buggy('M-A2-fork', V10, `${P}A-INV4-refcount`, 'M-A2: the child inherits the parent\'s count and PKRS at fork', 'page-protection.md M-A2', { mutant: 'M-A2-fork' }),
  // the kept global grant also reopens the key under a later local restrict, in an interrupt too (seed 19)
  buggy('M-A3-local', GLOBAL, `${P}A-INV7-global`, 'M-A3: a global restrict updates only the local CPU; the global value keeps the grant', 'page-protection.md M-A3', { mutant: 'M-A3-local' }, { maxTasks: 1 },
    [`${P}A-INV3-exception-isolation`]),
  buggy('M-A3-sticky', GLOBAL, `${P}A-INV4-refcount`, 'M-A3: a global grant is merged into thread.pkrs and sticks', 'page-protection.md M-A3', { mutant: 'M-A3-sticky' }),
  buggy('M-A3-cache', GLOBAL, `${P}A-INV2-msr-tracks-context`, 'M-A3: a global restrict updates pkrs_cache without the MSR', 'page-protection.md M-A3', { mutant: 'M-A3-cache' }),
  buggy('M-A4-any', TGLX, `${P}fault-policy`, 'M-A4: the V-TGLX #PF handler forgives any PK fault without checking page->unprotect', 'page-protection.md M-A4', { mutant: 'M-A4-any' }),
  buggy('M-A4-thread', TGLX, `${P}A-INV4-refcount`, 'M-A4: temporary_unprotect() written to thread.pkrs, so it survives the context', 'page-protection.md M-A4', { mutant: 'M-A4-thread' }),
  buggy('M-A5', TGLX, `${P}A-INV6-unprotect`, 'M-A5: page->unprotect incremented and decremented non-atomically: concurrent kmaps lose an update (the count then goes negative, stays up after the last kunmap(), or drops to 0 under a user who then dies)', 'page-protection.md M-A5',
    { mutant: 'M-A5' }, {}, [`${P}legit-never-dies`, `${P}fault-policy`, `${P}quiescent`]),
  buggy('M-A6-strict-as-relaxed', V10, `${P}fault-policy`, 'M-A6: STRICT treated as RELAXED by the fault handler', 'page-protection.md M-A6', { mutant: 'M-A6-strict-as-relaxed' }),
  buggy('M-A7', TGLX_STRICT, `${P}legit-never-dies`, 'M-A7: interrupts share the task\'s count without saving and zeroing it (A.4 #10 as a toggle on V-TGLX)', 'page-protection.md M-A7', { saveCount: false }, { stray: 'irq', irqGrants: ['local'] }),
];
