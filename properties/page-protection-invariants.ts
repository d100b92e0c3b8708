/**
 * Page protection invariants A-INV1..A-INV9 (page-protection.md A.3) stated from their meaning,
 * plus the observable checks (a stray write never succeeds, a legitimate user never dies) that
 * the statechart enforces on WRITE events. Where a design documents a weakening, the hard check
 * is the weakened form and the strong form's violation is recorded as an informational finding.
 *
 * Every check reads the World, the spec and the ghost records the engine keeps (each context's
 * PKRS and grant count at its entry and end, every IPI sent): nothing here is computed by the
 * kernel model, so no mutation of it can switch a check off.
 */
import type { SnapshotFrom } from 'xstate';
import {
  anyGrant, framesOf, isProtected, kmappedKey, protectedKeys, runsWith, weaklyOpen,
  type pageProtectionMachine, type PpSpecContext,
} from '../model/page-protection.machine.js';
import type { EndedContext, Ghost } from '../src/engine/ghost.js';
import { defineInvariant, type Invariant } from '../src/protocol.js';
import { count, topCtx, type World } from '../src/sim/world.js';
import { hex, PKS_INIT_VALUE, PKS_NUM_KEYS, pkrsAllowsWrite, pkrsMask, threadPeek, type PpState } from '../src/kernel/arch/x86/include/asm/pks.js';

type Spec = SnapshotFrom<typeof pageProtectionMachine>;
type Inv = Invariant<PpState, Spec>;
const inv = (i: Inv) => defineInvariant<PpState, Spec>(i);
const P = 'page-protection/';

/** What the engine records of a context at its entry and end (Protocol.contextState). */
export interface PpContextState {
  /** the CPU's PKRS */
  pkrs: number;
  /** the grant count of the task whose stack the context runs on */
  count: number;
}

export function ppContextState(w: World<PpState>, cpu: number): PpContextState {
  return { pkrs: w.k.pks.msr[cpu]!, count: threadPeek(w.k.pks, w.cpus[cpu]!.curr).count };
}

const opens = (pkrs: number, key: number) => pkrsAllowsWrite(pkrs, key);
const taskName = (w: World<PpState>, t: number) => w.tasks[t]?.name ?? `task ${t}`;
const counted = (c: PpSpecContext, p: number) => isProtected(c, p) && !c.direct.includes(c.pkey[p]!);
const countedLocals = (c: PpSpecContext, pages: number[]) => pages.filter((p) => counted(c, p)).length;
const nested = (e: EndedContext) => e.kind === 'hardirq' || e.kind === 'softirq' || e.kind === 'exception';

/** Strong-form findings already counted, per World: a state that persists over steps is one finding. */
const seenInfo = new WeakMap<World<PpState>, Set<string>>();

/** A strong-form finding, counted as info:<invariant>[<weakening>] so that the report names what the design gave up. */
export function recordInfo(w: World<PpState>, name: string, why: string, msg: string): void {
  const seen = seenInfo.get(w) ?? new Set<string>();
  seenInfo.set(w, seen);
  const key = `${name}[${why}]`;
  if (seen.has(`${key} ${msg}`)) return;
  seen.add(`${key} ${msg}`);
  count(w, `info:${key}`);
}

/**
 * MSR[cpu] opens `key` for the context running there: fine if it holds a grant (or any kmap()
 * of such a page is outstanding, the API's global address); a finding if only the documented
 * weakening allows it; a violation otherwise.
 */
function unguarded(w: World<PpState>, c: PpSpecContext, cpu: number, what: string): string | undefined {
  const msr = w.k.pks.msr[cpu]!;
  const task = w.cpus[cpu]!.curr;
  for (const key of protectedKeys(c)) {
    if (!opens(msr, key)) continue;
    if (runsWith(c, task, key) || kmappedKey(c, key)) continue;
    const weak = weaklyOpen(c, task, cpu, key);
    const msg = `cpu${cpu} runs ${what} with PKRS ${hex(msr)} open for key ${key}, but that context holds no grant of it`;
    if (weak) recordInfo(w, `${P}strong-form`, weak, msg);
    else return msg;
  }
}

/**
 * A-INV3's second half: the context an interrupt or exception returns to gets its PKRS back bit
 * for bit, except keys every context shares (opened while an outstanding kmap() grants them to
 * all, or changed while a global restrict is still in its grace on this CPU: time-slice, a
 * finding), and keys a fault handler opened for the context it interrupted on purpose (a fault
 * the spec saw it forgive there).
 */
function restoreMismatch(w: World<PpState>, c: PpSpecContext, ghost: Ghost): string | undefined {
  for (const e of ghost.ended) {
    if (!nested(e)) continue;
    const before = (e.entry.state as PpContextState).pkrs;
    const after = (e.exit.state as PpContextState).pkrs;
    if (before === after) continue;
    // the interrupted context's frame: as deep as the contexts still open on this CPU
    const fs = framesOf(c, e.entry.task);
    const depth = ghost.open[e.cpu]!.filter((r) => r.kind !== 'sched').length;
    const interrupted = fs[Math.min(depth, fs.length - 1)]!;
    for (let key = 0; key < PKS_NUM_KEYS; key++) {
      if (((before ^ after) & pkrsMask(key)) === 0) continue;
      const opened = opens(after, key) && !opens(before, key);
      const msg = `return from ${e.name} on cpu${e.cpu} left PKRS ${hex(after)}, the interrupted context had ${hex(before)} (key ${key} ${opened ? 'opened' : 'changed'})`;
      if (opened && (kmappedKey(c, key) || (e.kind === 'exception' && interrupted.temp.includes(key)))) continue;
      if ((c.grace[e.cpu] ?? []).includes(key)) {
        recordInfo(w, `${P}strong-form`, 'time-slice', msg);
        continue;
      }
      return msg;
    }
  }
}

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
    description: "pkrs_cache equals the MSR (a WRMSR may be skipped on it); outside a switch, a thread context runs with its own saved PKRS, opening more only for keys every context holds (an outstanding kmap()) or that a global restrict leaves open until the CPU's next switch",
    check(w, spec) {
      const k = w.k.pks;
      const c = spec.context;
      for (const cpu of w.cpus) {
        const msr = k.msr[cpu.id]!;
        if (k.pkrs_cache[cpu.id] !== msr) return `cpu${cpu.id}: pkrs_cache ${hex(k.pkrs_cache[cpu.id]!)} but the MSR holds ${hex(msr)}`;
        if (topCtx(cpu).kind !== 'thread') continue;
        const t = threadPeek(k, cpu.curr);
        const f = framesOf(c, cpu.curr)[0]!;
        for (const key of protectedKeys(c)) {
          if (f.temp.includes(key)) continue; // a temporary unprotect lives in the context's regs
          const open = opens(msr, key);
          if (open === opens(t.pkrs, key)) continue;
          if (open && (kmappedKey(c, key) || (c.grace[cpu.id] ?? []).includes(key))) continue;
          return `cpu${cpu.id} runs ${taskName(w, cpu.curr)} with MSR ${hex(msr)} but its thread.pkrs is ${hex(t.pkrs)} (key ${key})`;
        }
      }
    },
  }),
  inv({
    name: `${P}A-INV3-exception-isolation`,
    description: "an interrupt or exception runs with only its own grants (entry sets PKS_INIT_VALUE), and its return gives the interrupted context its PKRS back bit for bit, unless a fault handler opened a key for it on purpose (a forgiven fault, a global grant)",
    check(w, spec, ghost) {
      const bad = restoreMismatch(w, spec.context, ghost);
      if (bad) return bad;
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
    description: "a task's grant count is >= 0 and counts exactly grants it holds; an uninterrupted thread's saved PKRS opens a counted key exactly while it holds a grant of it (count > 0), and a directly granted key exactly while it holds that grant (or a forgiven fault's override covers it)",
    check(w, spec) {
      const k = w.k.pks;
      const c = spec.context;
      const users = c.users.reduce((n, u, p) => n + (counted(c, p) ? u : 0), 0);
      for (const task of w.tasks) {
        const t = k.thread[task.id];
        if (!t) continue;
        const fs = framesOf(c, task.id);
        if (t.count < 0) return `${task.name}: grant count ${t.count} < 0`;
        const held = fs.reduce((n, f) => n + countedLocals(c, f.locals), 0) + users;
        if (t.count > held) return `${task.name}: grant count ${t.count}, but it holds ${held} grant(s)`;
        if (fs.length > 1) continue; // an interrupt on its stack may be between its grant and its count
        const own = countedLocals(c, fs[0]!.locals);
        if (t.count < own) return `${task.name}: grant count ${t.count} below its ${own} kmap_local grant(s)`;
        for (const key of protectedKeys(c)) {
          if (fs[0]!.temp.includes(key)) continue;
          const open = opens(t.pkrs, key);
          if (c.direct.includes(key)) {
            if (open !== fs[0]!.keys.includes(key)) return `${task.name}: thread.pkrs ${hex(t.pkrs)} ${open ? 'opens' : 'closes'} key ${key}, but the task ${open ? 'holds no' : 'holds a'} pks_set_readwrite() grant of it`;
            continue;
          }
          if (t.count === 0 && open) return `${task.name}: grant count 0, but thread.pkrs ${hex(t.pkrs)} leaves key ${key} open (a leaked grant)`;
          // a global grant in force (pkrs_global, V-GLOBAL) covers a local one made under it
          const local = fs[0]!.locals.find((p) => c.pkey[p] === key);
          if (local !== undefined && !open && !opens(k.pkrs_global, key)) return `${task.name} holds kmap_local(p${local}), but neither its thread.pkrs ${hex(t.pkrs)} nor a global grant opens key ${key}`;
        }
      }
    },
  }),
  inv({
    name: `${P}A-INV5-nested`,
    description: "a nested context (interrupt, softirq, exception) returns with its own grants balanced (the statechart refuses its exit otherwise) and leaves the interrupted task's grant count as it found it",
    check(_w, _spec, ghost) {
      for (const e of ghost.ended) {
        if (!nested(e)) continue;
        const before = (e.entry.state as PpContextState).count;
        const after = (e.exit.state as PpContextState).count;
        if (before !== after) return `return from ${e.name} on cpu${e.cpu} changed the grant count of the task it interrupted ${before} → ${after}`;
      }
    },
  }),
  inv({
    name: `${P}A-INV6-unprotect`,
    description: 'page->unprotect (V-TGLX) never goes below zero, and a fault is forgiven only on a page with an outstanding kmap() (statechart); that it equals the outstanding kmap()s is checked when all is done (quiescent)',
    check(w) {
      const p = w.k.pks.unprotect.findIndex((u) => u < 0);
      if (p >= 0) return `p${p}: page->unprotect = ${w.k.pks.unprotect[p]} < 0`;
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
    description: 'a thread context runs with a protected key open only while it holds a grant (kmap_local, pks_set_readwrite, an outstanding kmap(), a forgiven fault\'s override in RELAXED/SILENT), or within its design\'s documented weakening',
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
  inv({
    name: `${P}fault-policy`,
    description: 'a PK fault is forgiven only as configured: never in STRICT, in RELAXED only with a WARN in the kernel log, and in V-TGLX only on a page with an outstanding kmap() (the statechart refuses the rest)',
    check(w, spec) {
      if (spec.context.relaxedForgiven > 0 && !w.warnings.some((m) => m.startsWith('WARNING'))) {
        return `${spec.context.relaxedForgiven} PK fault(s) forgiven in RELAXED mode, and the kernel log has no WARNING`;
      }
    },
  }),
  inv({ name: `${P}api-use`, description: 'callers use the kmap API as documented: kmap() not in atomic context, only what is mapped is unmapped, kmap_local innermost first, nothing held at return to user or exit' }),
  inv({
    name: `${P}cpu-isolation`,
    description: 'an isolated (nohz_full) CPU that runs no protected-memory user is never sent an IPI (every IPI of this protocol comes from the protection code)',
    check(_w, spec, ghost) {
      const i = ghost.ipis.find((ipi) => ipi.to === spec.context.isolated);
      if (i) return `cpu${i.from} sent ${i.name} to isolated cpu${i.to} (step ${i.step})`;
    },
  }),
  inv({
    name: `${P}quiescent`,
    description: 'when every task has exited: no grant count, no kmap() user, no context left on any stack, no unprotect, no global grant, no published address, no kmap_local slot, every saved value and every CPU back to PKS_INIT_VALUE with its cache in sync',
    final: true,
    check(w, spec) {
      const k = w.k.pks;
      const c = spec.context;
      for (const [id, t] of Object.entries(k.thread)) {
        if (t.count !== 0) return `${taskName(w, Number(id))} exited with grant count ${t.count}`;
        // a sticky override (V10 RELAXED) lives as long as the thread
        const temp = framesOf(c, Number(id))[0]!.temp;
        const open = protectedKeys(c).find((key) => opens(t.pkrs, key) && !temp.includes(key));
        if (open !== undefined || (t.pkrs & pkrsMask(0)) !== 0) return `${taskName(w, Number(id))} exited with thread.pkrs ${hex(t.pkrs)}`;
      }
      for (const [id, fs] of Object.entries(c.frames)) {
        if (fs.length !== 1 || fs[0]!.locals.length || fs[0]!.keys.length) return `${taskName(w, Number(id))} ended with grants or contexts left (spec)`;
      }
      const user = c.users.findIndex((n) => n !== 0);
      if (user >= 0) return `p${user}: ${c.users[user]} kmap() without kunmap()`;
      const u = k.unprotect.findIndex((n) => n !== 0);
      if (u >= 0) return `p${u}: page->unprotect = ${k.unprotect[u]} with no kmap() left`;
      const pub = k.mailbox.findIndex((n, p) => n !== 0 || k.borrowed[p] !== 0);
      if (pub >= 0) return `p${pub}: a published kmap() address is still out`;
      if (k.pkrs_global !== PKS_INIT_VALUE) return `pkrs_global ${hex(k.pkrs_global)} still grants`;
      const slot = Object.entries(w.k.kmap_ctrl).find(([, ctl]) => ctl.idx !== 0);
      if (slot) return `${taskName(w, Number(slot[0]))} exited with ${slot[1].idx} kmap_local slot(s)`;
      for (const cpu of w.cpus) {
        if (k.frames[cpu.id]!.length) return `cpu${cpu.id} still has ${k.frames[cpu.id]!.length} saved irqentry state(s)`;
        if (k.msr[cpu.id] !== PKS_INIT_VALUE) return `cpu${cpu.id} idles with PKRS ${hex(k.msr[cpu.id]!)}`;
        if (k.pkrs_cache[cpu.id] !== k.msr[cpu.id]) return `cpu${cpu.id}: pkrs_cache ${hex(k.pkrs_cache[cpu.id]!)} but the MSR holds ${hex(k.msr[cpu.id]!)}`;
      }
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

