/**
 * Variants of the kmap protocol: the correct designs and every known bug (kmap.md B.4) and
 * mutant (B.5) as a named, cited configuration. A buggy variant names the invariant expected to
 * catch it; the check never looks at the variant's name.
 */
import type { Variant } from '../src/protocol.js';
import type { KmapConfig, KmapWorkloadShape } from '../src/kernel/mm/kmap-types.js';

export interface KmapVariantConfig { kernel: KmapConfig; shape: KmapWorkloadShape }

const mainline: KmapConfig = {
  HIGHMEM: true, DEBUG_KMAP_LOCAL: false, DEBUG_KMAP_LOCAL_FORCE_MAP: false, DEBUG_HIGHMEM: false,
  arch: 'x86', schedGuardOption: 'DEBUG_KMAP_LOCAL', guardTest: 'pte_val', loongarchCopy: false,
};
const legal: KmapWorkloadShape = { nestedKmap: false, deepNest: false, irqLeak: false, leakAcrossUser: false };
/** ARM with HIGHMEM on an SMP CPU whose TLB maintenance is broadcast in hardware (ARMv7) */
const arm: Partial<KmapConfig> = { arch: 'arm', ARCH_NEEDS_KMAP_HIGH_GET: true, tlbBroadcast: true };

type V = Variant<KmapVariantConfig>;
const correct = (name: string, description: string, source: string, kernel: Partial<KmapConfig> = {}): V => ({
  name, buggy: false, description, source, config: { kernel: { ...mainline, ...kernel }, shape: legal },
});
const buggy = (name: string, description: string, source: string, expect: string,
  kernel: Partial<KmapConfig>, shape: Partial<KmapWorkloadShape> = {}, alsoCaughtBy?: string[]): V => ({
  name, buggy: true, description, source, expect, ...(alsoCaughtBy ? { alsoCaughtBy } : {}),
  config: { kernel: { ...mainline, ...kernel }, shape: { ...legal, ...shape } },
});

const SCHED_LOCAL = 'tglx <877dr235wj.fsf@nanos.tec.linutronix.de>, mm/highmem.c';
const FIX_66F1 = '66f133ceab74 (Max Filippov <20220403235159.3498065-1-jcmvbkbc@gmail.com>, Fixes 5fbda3ecd14a)';
const ARM_HIGHMEM = 'arch/arm/include/asm/highmem.h ("on platforms without hardware TLB maintenance broadcast, we simply cannot use ARCH_NEEDS_KMAP_HIGH_GET at all since the locking involved must also disable IRQs which is incompatible with the IPI mechanism used by global TLB operations"), arch/arm/kernel/smp_tlb.c';
const FLUSH = 'mm/highmem.c flush_all_zero_pkmaps(); arch/x86/mm/tlb.c flush_tlb_kernel_range(); kernel/smp.c smp_call_function_many_cond() (v5.11)';

export const kmapVariants: V[] = [
  correct('mainline', 'HIGHMEM kernel as in mainline: pkmap pool with an IPI flush on wrap, kmap_local stack saved on context switch', `mm/highmem.c; ${SCHED_LOCAL}`),
  correct('mainline-debug', 'mainline with DEBUG_KMAP_LOCAL: KM_INCR = 2, every other fixmap slot an unmapped guard', `${SCHED_LOCAL}; ${FIX_66F1}`, { DEBUG_KMAP_LOCAL: true }),
  correct('force-map', 'DEBUG_KMAP_LOCAL_FORCE_MAP: kmap_local maps lowmem pages too', 'mm/highmem.c, include/linux/highmem-internal.h', { DEBUG_KMAP_LOCAL_FORCE_MAP: true }),
  correct('no-highmem', '64-bit kernel without HIGHMEM: kmap and kmap_local return page_address(), no stack push', 'include/linux/highmem-internal.h (!CONFIG_HIGHMEM)', { HIGHMEM: false }),
  correct('xtensa-debug', 'xtensa (zero PTE is not pte_none) with DEBUG_KMAP_LOCAL after the pte_val() fix of the guard-slot checks', FIX_66F1, { arch: 'xtensa', DEBUG_KMAP_LOCAL: true }),
  correct('arm-kmap-high-get', 'ARM (ARCH_NEEDS_KMAP_HIGH_GET): kmap_lock taken with irqs off, kmap_local of a kmap()ed page pins its pkmap slot with kmap_high_get(); the TLB flush is broadcast in hardware, no IPI',
    `${ARM_HIGHMEM}; mm/highmem.c kmap_high_get(), kmap_high_unmap_local()`, arm),

  buggy('xtensa-guard-pte-none', 'B.4 #2: guard-slot checks in __kmap_local_sched_{in,out} use pte_none(), but a zero PTE is not pte_none on xtensa: spurious WARNs',
    `${FIX_66F1}; tglx review <878rskj326.ffs@tglx>`, 'kmap/no-false-warning', { arch: 'xtensa', DEBUG_KMAP_LOCAL: true, guardTest: 'pte_none' }),
  buggy('config-mismatch-debug-highmem', 'B.4 #3: KM_INCR keyed off DEBUG_KMAP_LOCAL but sched_out/in test DEBUG_HIGHMEM for guard slots; with DEBUG_HIGHMEM=y real mappings in even slots are neither saved nor cleared',
    'mm/highmem.c, 5.1x-era copy (later code tests CONFIG_DEBUG_KMAP_LOCAL in both places, see 66f133ceab74)', 'kmap/no-false-warning', { DEBUG_HIGHMEM: true, schedGuardOption: 'DEBUG_HIGHMEM' }),
  buggy('config-mismatch-debug-kmap-local', 'B.4 #3, other half: DEBUG_KMAP_LOCAL=y, DEBUG_HIGHMEM=n: sched_out/in take guard slots for mappings and warn',
    'mm/highmem.c, 5.1x-era copy', 'kmap/no-false-warning', { DEBUG_KMAP_LOCAL: true, schedGuardOption: 'DEBUG_HIGHMEM' }),
  buggy('loongarch-copy-lifo', 'B.4 #4: LoongArch copy_user_highpage() unmaps in map order; a no-op without HIGHMEM, still a LIFO violation of the protocol',
    'Fixes 477a0ebec101; David Hildenbrand <5b9c775c-35a1-4cd6-8387-00198e768b9a@redhat.com>', 'kmap/B-INV1-lifo', { HIGHMEM: false, loongarchCopy: true }),
  buggy('nested-kmap-deadlock', 'B.4 #6 [inference]: callers that hold kmap()s while asking for another, with more held than the pool has slots, sleep forever in map_new_virtual()',
    'mm/highmem.c map_new_virtual(); older Documentation/mm/highmem.rst', 'kernel/progress', {}, { nestedKmap: true }),
  buggy('kmap-high-get-ipi-flush', 'ARCH_NEEDS_KMAP_HIGH_GET on a CPU whose TLB flush needs IPIs (SMP && CPU_TLB_V6, which the kernel refuses): the flush waits for an IPI that a CPU spinning on kmap_lock with irqs off never takes; smp_call_function_many_cond() warns "can deadlock" first',
    ARM_HIGHMEM, 'kmap/no-false-warning', { ...arm, tlbBroadcast: false }, {}, ['kernel/progress']),
  buggy('kmap-in-atomic', 'a caller kmap()s inside a kmap_atomic() section: kmap() may sleep (might_sleep(), "We cannot call this from interrupts, as it may block")',
    'include/linux/highmem-internal.h kmap(); mm/highmem.c kmap_high() kdoc; Documentation/mm/highmem.rst; kmap.md B-INV7', 'kmap/B-INV7-atomic', {}, { kmapInAtomic: true }),
  buggy('hardirq-irqs-on', 'a hardirq handler enables interrupts and then kmap_local()s: kmap_local_idx_push() WARN_ON_ONCE(in_irq() && !irqs_disabled())',
    'mm/highmem.c kmap_local_idx_push() (v5.11); kmap.md B-INV5', 'kmap/B-INV5-irq-balance', {}, { irqsOnInHardirq: true }, ['kmap/no-false-warning']),

  buggy('M-B1', 'kunmap_local() trusts its caller: no range check, no LIFO WARN; unmapping anything pops the top slot while it is still in use (or an empty stack: BUG)',
    'kmap.md mutant M-B1', 'kmap/B-INV3-slots', { mutant: 'M-B1' }, {}, ['kernel/BUG', 'kernel/context-balance']),
  buggy('M-B2-pteval', 'the push does not record pteval[], so __kmap_local_sched_in restores nothing',
    'kmap.md mutant M-B2', 'kmap/no-false-warning', { mutant: 'M-B2-pteval' }),
  buggy('M-B2-sched-out', '__kmap_local_sched_out does not clear the outgoing task\'s slots: the next task on the CPU sees them',
    'kmap.md mutant M-B2', 'kmap/B-INV3-slots', { mutant: 'M-B2-sched-out' }),
  buggy('M-B3', 'an interrupt handler returns with its kmap_local still on the interrupted task\'s stack',
    'kmap.md mutant M-B3', 'kmap/B-INV5-irq-balance', {}, { irqLeak: true }),
  buggy('M-B4-bound', 'kmap_local_idx_push() checks idx > KM_MAX_IDX instead of >=, letting the stack overflow by one',
    'kmap.md mutant M-B4', 'kmap/B-INV2-bounds', { mutant: 'M-B4-bound' }, { deepNest: true }),
  buggy('M-B4-fork', 'kmap_local_fork() no longer clears the child\'s kmap_ctrl; a caller forks while holding a local mapping',
    'kmap.md mutant M-B4', 'kmap/B-INV2-bounds', { mutant: 'M-B4-fork' }, { leakAcrossUser: true }),
  buggy('M-B4-nomap', 'kmap_assert_nomap() removed from return to user; a caller returns to user with a local mapping held',
    'kmap.md mutant M-B4', 'kmap/B-INV2-bounds', { mutant: 'M-B4-nomap' }, { leakAcrossUser: true }),
  buggy('M-B5', 'kunmap_high() lets the last unmap take the count to 0 and frees the slot without a TLB flush; a CPU keeps a stale translation',
    'kmap.md mutant M-B5; kunmap_high comment', 'kmap/B-INV6-pkmap-counts', { mutant: 'M-B5' }),
  buggy('M-B5-nowait', 'flush_tlb_kernel_range() sends its IPIs but does not wait for them (on_each_cpu(..., wait = 0)): the freed slot is reused while another CPU still translates it to the old page',
    `kmap.md M-B5 class; ${FLUSH}`, 'kmap/B-INV6-pkmap-counts', { mutant: 'M-B5-nowait' }, {}, ['kmap/data']),
  buggy('M-B5-local', 'flush_all_zero_pkmaps() flushes only the local TLB (no IPI): another CPU keeps the translation of a freed, then reused, slot',
    `kmap.md M-B5 class; ${FLUSH}`, 'kmap/B-INV6-pkmap-counts', { mutant: 'M-B5-local' }, {}, ['kmap/data']),
];
