/**
 * Variants of the text-poke protocol: the designs (pre-5.2 fixmap, v1 of the series, the 5.2
 * merge, 5.10 with the lazy-TLB fix, the 5.19 generation test and its fix), with PTI on and off,
 * the known bugs of text-poke.md D.4 and the mutants of D.5, each a named, cited configuration of
 * the same kernel code. A buggy variant names the invariant expected to catch it; no check looks
 * at the variant.
 */
import type { Variant } from '../src/protocol.js';
import type { TextPokeConfig } from '../src/kernel/mm/text-poke-types.js';

type V = Variant<TextPokeConfig>;

const SERIES = 'Nadav Amit / Rick Edgecombe, "x86/alternative: use temporary mm for text poking", merged in 5.2 (06/17 <20190129003422.9328-7-rick.p.edgecombe@intel.com>)';
const V1 = 'v1 06/17 <20190117003259.23141-7-rick.p.edgecombe@intel.com>; Andy quoted in <B8C39C5A-A669-4F80-9BAE-7C11A4379ECF@gmail.com>; HPA <7E4A4400-0A2E-4393-B22C-DBD708610BB5@zytor.com>';
const JGROSS = 'Juergen Gross, "x86/alternative: Don\'t call text_poke() in lazy TLB mode" <20201009144225.12019-1-jgross@suse.com>, Fixes cefa929c034e';
const FIXMAP = 'arch/x86/kernel/alternative.c before 5.2 (FIX_TEXT_POKE0/1); Nadav\'s changelog of the series';
const ZERO = 'aa44284960d5 "x86/mm/tlb: Avoid reading mm_tlb_gen when possible"; Hugh Dickins <4eccbb3a-2b5a-039-e934-da451e469929@google.com>';
const ZERO_FIX = '8f1d56f64f8d "x86/mm/tlb: Ignore f->new_tlb_gen when zero" <20220710232837.3618-1-namit@vmware.com>';
const DR7 = 'Andy Lutomirski <00649AE8-69C0-4CD2-A916-B8C8F0F5DAC3@amacapital.net> (text-poke.md D.4 #3)';

const v510: TextPokeConfig = {
  design: 'temporary-mm', leaveMmWhenLazy: true, X86_FEATURE_PTI: true, X86_FEATURE_PCID: true, X86_FEATURE_INVPCID_SINGLE: true,
  flushGen: '5.10', pokeGlobal: false, pokeFlush: 'flush_tlb_mm_range', irqsOff: true, asidOffByOne: false, saveDr7: true,
  textMutex: true, ptl: true, userFlush: true,
};
const noPti: Partial<TextPokeConfig> = { X86_FEATURE_PTI: false };

const I = {
  confine: 'text-poke/D-INV1-confinement', stale: 'text-poke/D-INV2-no-stale-alias', global: 'text-poke/D-INV3-non-global',
  restore: 'text-poke/D-INV4-restore', irqs: 'text-poke/D-INV5-irqs-off', excl: 'text-poke/D-INV6-exclusive',
  bytes: 'text-poke/D-INV7-bytes-land', dr7: 'text-poke/D-INV8-breakpoints', pti: 'text-poke/D-INV9-pti',
  write: 'text-poke/no-stale-write', warn: 'text-poke/no-warning', bug: 'kernel/BUG',
};

const correct = (name: string, description: string, source: string, c: Partial<TextPokeConfig> = {}): V =>
  ({ name, buggy: false, description, source, config: { ...v510, ...c } });
const buggy = (name: string, description: string, source: string, expect: string, c: Partial<TextPokeConfig>, also: string[] = []): V =>
  ({ name, buggy: true, description, source, expect, ...(also.length ? { alsoCaughtBy: also } : {}), config: { ...v510, ...c } });

export const textPokeVariants: V[] = [
  correct('5.10', '5.10: temporary mm, non-global alias, flush_tlb_mm_range() after unuse (deferred to the next load), leave_mm() when lazy, DR7 saved; PTI with PCID and INVPCID_SINGLE',
    `arch/x86/kernel/alternative.c, arch/x86/mm/tlb.c v5.10; ${JGROSS}`),
  correct('5.10-pti-off', '5.10 without PTI: one address space per mm, global kernel mappings', 'as 5.10, X86_FEATURE_PTI off', noPti),
  correct('5.10-no-invpcid', '5.10 with PTI but without INVPCID_SINGLE: user PCIDs are flushed at the next SWITCH_TO_USER_CR3 (invalidate_user_asid), the cheaper path Andy argues for',
    'arch/x86/mm/tlb.c native_flush_tlb_one_user(); Andy Lutomirski in seed 004 ("INVPCID is slower than writing CR3, and serializing")', { X86_FEATURE_INVPCID_SINGLE: false }),
  correct('5.10-no-pcid', '5.10 on a CPU without PCID: ASID 0 only, every CR3 write flushes', 'arch/x86/mm/tlb.c choose_new_asid() (!X86_FEATURE_PCID)', { X86_FEATURE_PCID: false, X86_FEATURE_INVPCID_SINGLE: false }),
  correct('v1-pti-dr7', 'v1 of the series with PTI on and the later DR7 save: PTI clears _PAGE_GLOBAL from PAGE_KERNEL, and the flush while poking_mm is loaded removes the alias (our judgement: correct, see docs)',
    `${V1}; ${DR7}; ${JGROSS}`, { design: 'v1' }),
  correct('no-text-mutex', 'callers without text_mutex (M-D6 as the reference states it): the PTE lock that __text_poke() takes "to avoid open-coding" still serializes the pokes (our finding, see docs)',
    'text-poke.md M-D6; arch/x86/kernel/alternative.c __text_poke() get_locked_pte() ... pte_unmap_unlock()', { textMutex: false }),
  correct('5.19-fixed', 'the 5.19 generation test with the fix: a zero new_tlb_gen (arch_tlbbatch_flush) never skips the flush', `${ZERO}; ${ZERO_FIX}`, { flushGen: '8f1d56f64f8d' }),

  buggy('fixmap', 'D.4 #1, pre-5.2: FIX_TEXT_POKE0/1 in init_mm, shared by every CPU, flushed only locally: another CPU caches the writable alias',
    FIXMAP, I.confine, { design: 'fixmap', ...noPti }, [I.global, I.stale]),
  buggy('fixmap-pti', 'D.4 #1 with PTI: the fixmap alias is not global, still visible to every CPU\'s kernel page tables', FIXMAP, I.confine, { design: 'fixmap' }, [I.stale]),
  buggy('v1', 'D.4 #2, v1 of the series: PAGE_KERNEL keeps _PAGE_GLOBAL on the alias (Andy: "Please tell me that the global bit isn\'t set")',
    V1, I.global, { design: 'v1', ...noPti, saveDr7: false, leaveMmWhenLazy: false }, [I.stale, I.write, I.confine, I.restore, I.dr7]),
  buggy('v1-pti', 'v1 with PTI on: no global bit, but no DR7 save yet (D.4 #3, raised in Feb 2019 review): a user watchpoint on poking_addr stays armed during the memcpy',
    `${V1}; ${DR7}`, I.dr7, { design: 'v1', saveDr7: false, leaveMmWhenLazy: false }, [I.restore]),
  buggy('5.2', 'D.4 #4, the 5.2 merge: a lazy kernel thread pokes; unuse_temporary_mm() reinstates the lazily held mm non-lazily, and exit_mmap() on another CPU misses it',
    `${SERIES}; ${JGROSS}`, I.restore, { leaveMmWhenLazy: false }),
  buggy('5.2-pti-off', 'D.4 #4 with PTI off', `${SERIES}; ${JGROSS}`, I.restore, { leaveMmWhenLazy: false, ...noPti }),
  buggy('5.19-zero-gen', 'D.4 #5: flush_tlb_func() returns when f->new_tlb_gen <= local_tlb_gen; arch_tlbbatch_flush() passes 0, so reclaim leaves stale user translations',
    ZERO, I.write, { flushGen: 'aa44284960d5' }, [I.pti]),
  buggy('5.19-zero-gen-pti-off', 'D.4 #5 with PTI off', ZERO, I.write, { flushGen: 'aa44284960d5', ...noPti }),

  buggy('M-D1', 'the alias keeps _PAGE_GLOBAL (PTI off): after the poke another mm on the poker CPU writes through it', 'text-poke.md M-D1', I.global,
    { pokeGlobal: true, ...noPti }, [I.stale, I.write, I.confine]),
  buggy('M-D2-no-flush', 'no flush_tlb_mm_range() after the poke: the next poke writes the old page through the cached translation', 'text-poke.md M-D2', I.stale,
    { pokeFlush: 'none' }, [I.write, I.bytes, I.bug]),
  buggy('M-D2-no-inc-gen', 'flush_tlb_mm_range() without inc_mm_tlb_gen(): the next load of poking_mm sees an up-to-date slot', 'text-poke.md M-D2', I.stale,
    { pokeFlush: 'no-inc-gen' }, [I.write, I.bytes, I.bug]),
  buggy('M-D3', 'irqs stay enabled while poking_mm is loaded: an interrupt runs with the alias mapped', 'text-poke.md M-D3', I.irqs, { irqsOff: false }, [I.warn, I.restore]),
  buggy('M-D4', 'no leave_mm() when lazy (the 5.2 code as a mutant of 5.10, PTI off, no PCID)', 'text-poke.md M-D4', I.restore,
    { leaveMmWhenLazy: false, ...noPti, X86_FEATURE_PCID: false, X86_FEATURE_INVPCID_SINGLE: false }),
  buggy('M-D5', 'choose_new_asid() treats a slot one generation behind as up to date: poking_mm is reloaded without the deferred flush', 'text-poke.md M-D5', I.stale,
    { asidOffByOne: true }, [I.write, I.bytes, I.bug, I.pti]),
  buggy('M-D6', 'pokers without text_mutex and without the PTE lock (get_locked_pte() open-coded as an unlocked lookup) share the PTE slot', 'text-poke.md M-D6', I.excl,
    { textMutex: false, ptl: false }, [I.bytes, I.write, I.bug, I.confine, I.stale]),
  buggy('no-dr7-save', 'D.4 #3: no hw_breakpoint_disable() around the temporary mm: a user watchpoint on poking_addr fires on the kernel\'s memcpy', DR7, I.dr7,
    { saveDr7: false }),
  buggy('M-pti-user-flush', 'our mutant: invalidate_user_asid() forgets the user PCID, so a deferred user flush never happens', 'text-poke.md D.2 native_flush_tlb_one_user(); our mutant', I.pti,
    { userFlush: false, X86_FEATURE_INVPCID_SINGLE: false }, [I.write]),
];
