/**
 * Page protection invariants A-INV1..A-INV9 (page-protection.md A.3) stated from their meaning,
 * plus the observable checks (a stray write never succeeds, a legitimate user never dies) that
 * the statechart enforces on WRITE events. Where a design documents a weakening, the hard check
 * is the weakened form and the strong form's violation is recorded as an informational finding.
 */
import type { SnapshotFrom } from 'xstate';
import {
  anyGrant, frameGrants, framesOf, isProtected, kmappedKey, topFrame, weaklyOpen,
  type pageProtectionMachine, type PpSpecContext,
} from '../model/page-protection.machine.js';
import { defineInvariant, type Invariant } from '../src/protocol.js';
import { count, topCtx, type World } from '../src/sim/world.js';
import { thread_pkrs_live } from '../src/kernel/arch/x86/mm/pkeys.js';
import { hex, PKS_INIT_VALUE, pkrsAllowsWrite, pkrsMask, threadOf, type Pks, type PpState } from '../src/kernel/arch/x86/include/asm/pks.js';

type Spec = SnapshotFrom<typeof pageProtectionMachine>;
type Inv = Invariant<PpState, Spec>;
const inv = (i: Inv) => defineInvariant<PpState, Spec>(i);
const P = 'page-protection/';

const protectedKeys = (c: PpSpecContext) => (c.mode === 'OFF' ? [] : [...new Set(c.pkey.filter((k) => k !== 0))]);
const opens = (pkrs: number, key: number) => pkrsAllowsWrite(pkrs, key);
const taskName = (w: World<PpState>, t: number) => w.tasks[t]?.name ?? `task ${t}`;
const protectedLocals = (c: PpSpecContext, pages: number[]) => pages.filter((p) => isProtected(c, p)).length;

/**
 * A strong-form finding: kept once per distinct message, counted as info:<invariant>[<weakening>]
 * so that the report names what the design gave up.
 */
export function recordInfo(w: World<PpState>, name: string, why: string, msg: string): void {
  const key = `${name}[${why}]`;
  const seen = (w.k.pks.ghost.info[key] ??= []);
  if (seen.includes(msg)) return; // a state that persists over steps is one finding
  seen.push(msg);
  count(w, `info:${key}`);
}

/**
 * MSR[cpu] opens `key` for the context running there: fine if it holds a grant (or any kmap()
 * of such a page is outstanding, the API's global address); a finding if only the documented
 * weakening allows it; a violation otherwise.
 */
function unguarded(w: World<PpState>, c: PpSpecContext, cpu: number, what: string): string | undefined {
  const k = w.k.pks;
  const task = w.cpus[cpu]!.curr;
  for (const key of protectedKeys(c)) {
    if (!opens(k.msr[cpu]!, key) || c.mode === 'OFF') continue;
    if (frameGrants(c, topFrame(c, task), key) || kmappedKey(c, key)) continue;
    const weak = weaklyOpen(c, task, cpu, key);
    const msg = `cpu${cpu} runs ${what} with PKRS ${hex(k.msr[cpu]!)} open for key ${key}, but that context holds no grant of it`;
    if (weak) recordInfo(w, `${P}strong-form`, weak, msg);
    else return msg;
  }
}

const lazyGlobal = (k: Pks) => k.cfg.design === 'V-GLOBAL';

export const ppInvariants: Inv[] = [
  inv({
    name: `${P}A-INV8-keys`,
    description: 'key 0 is always read-write (in every MSR, cache, saved value); PKS_INIT_VALUE denies every protected key',
    check(w, spec) {
      const k = w.k.pks;
      const values = [...k.msr, ...k.pkrs_cache, ...Object.values(k.thread).map((t) => t.pkrs), ...k.frames.flat().map((f) => f.pkrs)];
      if (values.some((v) => (v & pkrsMask(0)) !== 0)) return 'a PKRS value restricts key 0';
      const open = protectedKeys(spec.context).find((key) => opens(PKS_INIT_VALUE, key));
      if (open !== undefined) return `PKS_INIT_VALUE opens protected key ${open}`;
    },
  }),
  inv({
    name: `${P}A-INV9-mode`,
    description: 'the mode the administrator configures is the mode applied: writing "strict" gives STRICT',
    check(w, spec) {
      if (w.k.pks.mode !== spec.context.mode) return `memremap.pks_fault_mode=${JSON.stringify(w.k.pks.cfg.param)} means ${spec.context.mode}, the kernel runs ${w.k.pks.mode}`;
    },
  }),
  inv({
    name: `${P}A-INV2-msr-tracks-context`,
    description: 'pkrs_cache equals the MSR (a WRMSR may be skipped on it); outside a switch, a thread context runs with its own saved PKRS (V-GLOBAL: up to its global grants, applied lazily)',
    check(w, spec) {
      const k = w.k.pks;
      for (const cpu of w.cpus) {
        if (k.pkrs_cache[cpu.id] !== k.msr[cpu.id]) return `cpu${cpu.id}: pkrs_cache ${hex(k.pkrs_cache[cpu.id]!)} but the MSR holds ${hex(k.msr[cpu.id]!)}`;
        if (topCtx(cpu).kind !== 'thread') continue;
        const t = threadOf(k, cpu.curr);
        const f = framesOf(spec.context, cpu.curr)[0]!;
        for (const key of protectedKeys(spec.context)) {
          if (f.temp.includes(key)) continue; // a temporary unprotect lives in the context's regs
          // V-GLOBAL merges global grants in lazily: the MSR may open more than thread.pkrs, never less
          const open = opens(k.msr[cpu.id]!, key);
          if (lazyGlobal(k) ? opens(t.pkrs, key) && !open : open !== opens(t.pkrs, key)) {
            return `cpu${cpu.id} runs ${taskName(w, cpu.curr)} with MSR ${hex(k.msr[cpu.id]!)} but its thread.pkrs is ${hex(t.pkrs)} (key ${key})`;
          }
        }
      }
    },
  }),
  inv({
    name: `${P}A-INV3-exception-isolation`,
    description: "an interrupt or exception runs with only its own grants (entry sets PKS_INIT_VALUE), and its exit restores the interrupted context's PKRS bit-exactly unless a fault handler deliberately edited it",
    check(w, spec) {
      const g = w.k.pks.ghost;
      if (g.restoreMismatch) return g.restoreMismatch;
      for (const cpu of w.cpus) {
        const kind = topCtx(cpu).kind;
        if (kind === 'thread' || kind === 'sched') continue;
        const msg = unguarded(w, spec.context, cpu.id, `a ${kind} (interrupting ${taskName(w, cpu.curr)})`);
        if (msg) return msg;
      }
    },
  }),
  inv({
    name: `${P}A-INV4-refcount`,
    description: "a task's grant count is >= 0 and counts exactly grants it holds; an uninterrupted thread with count 0 (and no override) has the key closed in thread.pkrs, one holding a kmap_local has it open",
    check(w, spec) {
      const k = w.k.pks;
      const c = spec.context;
      const users = c.users.reduce((n, u, p) => n + (isProtected(c, p) ? u : 0), 0);
      for (const task of w.tasks) {
        if (!k.thread[task.id]) continue;
        const t = k.thread[task.id]!;
        const fs = framesOf(c, task.id);
        if (t.count < 0) return `${task.name}: grant count ${t.count} < 0`;
        const held = fs.reduce((n, f) => n + protectedLocals(c, f.locals), 0) + users;
        if (t.count > held) return `${task.name}: grant count ${t.count}, but it holds ${held} grant(s)`;
        if (fs.length > 1) continue;
        if (t.count < protectedLocals(c, fs[0]!.locals)) return `${task.name}: grant count ${t.count} below its ${protectedLocals(c, fs[0]!.locals)} kmap_local grant(s)`;
        for (const key of protectedKeys(c)) {
          if (fs[0]!.temp.includes(key)) continue;
          if (t.count === 0 && opens(t.pkrs, key)) return `${task.name}: grant count 0, but thread.pkrs ${hex(t.pkrs)} leaves key ${key} open (a leaked grant)`;
          const local = fs[0]!.locals.find((p) => c.pkey[p] === key);
          if (local !== undefined && !opens(thread_pkrs_live(k, t), key)) return `${task.name} holds kmap_local(p${local}), but its PKRS ${hex(thread_pkrs_live(k, t))} closes key ${key}`;
        }
      }
    },
  }),
  inv({
    name: `${P}A-INV5-nested`,
    description: "a nested context's grants never change the interrupted context's count or PKRS: it returns with its own grants balanced (the statechart refuses IRQ_EXIT otherwise)",
    check(w) {
      return w.k.pks.ghost.countMismatch ?? undefined;
    },
  }),
  inv({
    name: `${P}A-INV6-unprotect`,
    description: 'V-TGLX page->unprotect >= 0 and equals the outstanding kmap()s of the page (give or take an update in flight); a fault is forgiven only on such a page (statechart)',
    check(w, spec) {
      const k = w.k.pks;
      if (k.cfg.design !== 'V-TGLX' || k.mode === 'OFF') return;
      const slack = Object.values(k.ghost.inflight).reduce((a, b) => a + b, 0);
      for (let p = 0; p < k.unprotect.length; p++) {
        const u = k.unprotect[p]!;
        const users = spec.context.pkey[p] ? spec.context.users[p]! : 0;
        if (u < 0 || Math.abs(u - users) > slack) return `p${p}: page->unprotect = ${u} with ${users} kmap() user(s)`;
      }
    },
  }),
  inv({
    name: `${P}A-INV7-global`,
    description: 'a global grant is in force only while someone holds a grant of that key; after a global restrict every CPU denies it from its next context switch on (checked by A-INV1/A-INV3 with the time-slice weakening)',
    check(w, spec) {
      const k = w.k.pks;
      for (const key of protectedKeys(spec.context)) {
        if (opens(k.pkrs_global, key) && !anyGrant(spec.context, key)) {
          return `pkrs_global ${hex(k.pkrs_global)} still grants key ${key}, but nobody holds a grant of it: the global grant leaked`;
        }
      }
    },
  }),
  inv({
    name: `${P}A-INV1-no-unguarded-access`,
    description: 'a thread context runs with a protected key open only while it holds a grant (kmap_local, an outstanding kmap(), a forgiven fault\'s override in RELAXED/SILENT), or within its design\'s documented weakening',
    check(w, spec) {
      for (const cpu of w.cpus) {
        if (topCtx(cpu).kind !== 'thread') continue;
        const msg = unguarded(w, spec.context, cpu.id, taskName(w, cpu.curr));
        if (msg) return msg;
      }
    },
  }),
  inv({ name: `${P}stray-write`, description: 'a stray write to a protected page never succeeds, unless the design documents why it may (reported as a strong-form finding)' }),
  inv({ name: `${P}legit-never-dies`, description: 'a context that legitimately holds access to a page never dies writing it' }),
  inv({ name: `${P}fault-policy`, description: 'a PK fault is forgiven only as configured: never in STRICT, with a WARN in RELAXED, and in V-TGLX only on a page with an outstanding kmap()' }),
  inv({ name: `${P}api-use`, description: 'callers use the kmap API as documented: kmap() not in atomic context, only what is mapped is unmapped, kmap_local innermost first, nothing held at return to user or exit' }),
  inv({
    name: `${P}cpu-isolation`,
    description: 'an isolated (nohz_full) CPU that runs no protected-memory user is never interrupted by the protection code',
    check: (w) => w.k.pks.ghost.isolation ?? undefined,
  }),
  inv({
    name: `${P}no-fault-loop`,
    description: 'a forgiven PK fault lets the retried access through: no endless PK-fault loop',
    check: (w) => w.k.pks.ghost.faultLoop ?? undefined,
  }),
  inv({
    name: `${P}quiescent`,
    description: 'when every task has exited: no grant count, no unprotect, no global grant, every CPU and saved value back to PKS_INIT_VALUE',
    final: true,
    check(w) {
      const k = w.k.pks;
      for (const [id, t] of Object.entries(k.thread)) {
        if (t.count !== 0) return `${taskName(w, Number(id))} exited with grant count ${t.count}`;
        if (t.pkrs !== PKS_INIT_VALUE) return `${taskName(w, Number(id))} exited with thread.pkrs ${hex(t.pkrs)}`;
      }
      const u = k.unprotect.findIndex((n) => n !== 0);
      if (u >= 0) return `p${u}: page->unprotect = ${k.unprotect[u]} with no kmap() left`;
      if (k.pkrs_global !== PKS_INIT_VALUE) return `pkrs_global ${hex(k.pkrs_global)} still grants`;
      const cpu = k.msr.findIndex((v) => v !== PKS_INIT_VALUE);
      if (cpu >= 0) return `cpu${cpu} idles with PKRS ${hex(k.msr[cpu]!)}`;
    },
  }),
  inv({
    name: `${P}strong-form`,
    description: 'informational: what a design gives up on purpose (a write or an open key allowed only by its documented weakening or RELAXED override); counted as info:<invariant>[<weakening>], never a failure',
    informational: true,
    check(w, spec) {
      for (const entry of spec.context.info) {
        const [why, msg] = entry.split(': ', 2) as [string, string];
        recordInfo(w, `${P}strong-form`, why, msg);
      }
    },
  }),
];
