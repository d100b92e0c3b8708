/**
 * The checks that used to live inside the kernel model, now judged from outside: a mutation of
 * the kernel code that would have switched the old in-model check off is still caught (each test
 * replaces a kernel function with vi.doMock and runs the page-protection protocol on it, with
 * only the invariant under test, so that no other check catches the mutation first). Also: what
 * a softirq run from local_bh_enable() can do in V10, and that the #PF runs with irqs off.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { Strategy } from '../../src/engine/strategy.js';
import type { Execution } from '../../src/engine/result.js';
import type { Invariant, Protocol } from '../../src/protocol.js';
import type { PpOp } from '../../src/kernel/mm/pks-callers.js';
import type { PpWorkload } from '../../properties/page-protection-workload.js';

const ENTRY = '../../src/kernel/arch/x86/entry/common.js';
const PKEYS = '../../src/kernel/arch/x86/mm/pkeys.js';
const THREAD = '../../src/sim/thread.js';

/** Takes the first choice whose key matches `want(keys)`, else goes on (choice 0). */
class Script implements Strategy {
  readonly keyed = true;
  constructor(private readonly want: (keys: readonly string[]) => number) {}
  next(n: number, keys?: readonly string[]): number {
    const i = this.want(keys ?? []);
    return i >= 0 && i < n ? i : 0;
  }
}

/** Enter the interrupt (unit 1) once the task (unit 0) has taken `after` steps. */
const irqAfter = (after: number) => new Script((keys) => {
  const task = keys.map((k) => /^u0\.(\d+)@/.exec(k)).find((m) => m);
  return task && Number(task[1]) >= after ? keys.findIndex((k) => /^[ib]1@/.test(k)) : -1;
});

async function run(variant: string, wl: PpWorkload, strategy: Strategy, only?: string): Promise<Execution> {
  const { pageProtectionProtocol } = await import('../../properties/page-protection.js');
  const { execute } = await import('../../src/engine/engine.js');
  const { findVariant } = await import('../../src/protocols.js');
  const p = pageProtectionProtocol as unknown as Protocol;
  const protocol: Protocol = only === undefined ? p : { ...p, invariants: p.invariants.filter((i: Invariant) => i.name === `page-protection/${only}`) };
  return execute(protocol, findVariant(p, variant), wl, strategy, { cpus: 2, maxSteps: 400, maxPreemptions: Infinity, maxEnvSteps: 0, trace: true });
}

const task = (ops: PpOp[]): PpWorkload['tasks'][number] => ({ cpu: 0, tif: false, ops });
const grantAndIrq = (irqKind: 'hardirq' | 'softirq' = 'hardirq'): PpWorkload => ({
  isolated: false,
  tasks: [task([['local', 0], ['write', 0], ['write', 0], ['unlocal', 0]])],
  irqs: [{ cpu: 0, kind: irqKind, ops: [['write', 2]] }],
});

afterEach(() => {
  vi.doUnmock(ENTRY);
  vi.doUnmock(PKEYS);
  vi.doUnmock(THREAD);
  vi.resetModules();
});

describe('moved checks survive the mutation that disabled them in the kernel model', () => {
  test('A-INV3: an irqentry_exit that forgets to restore PKRS (the old check lived in irqentry_exit)', async () => {
    const clean = await run('V3', grantAndIrq(), irqAfter(2), 'A-INV3-exception-isolation');
    expect(clean.failure).toBeNull();
    vi.resetModules();
    vi.doMock(ENTRY, async (orig) => ({
      ...(await orig<typeof import('../../src/kernel/arch/x86/entry/common.js')>()),
      // pops the saved state, restores nothing
      irqentry_exit: (x: { cpu(): number; w: { k: { pks: { frames: unknown[][] } } } }) => { x.w.k.pks.frames[x.cpu()]!.pop(); },
    }));
    const r = await run('V3', grantAndIrq(), irqAfter(2), 'A-INV3-exception-isolation');
    expect(r.failure?.invariant).toBe('page-protection/A-INV3-exception-isolation');
    expect(r.failure?.message).toMatch(/return from hardirq irq0 on cpu0 left PKRS 0xfffffffc, the interrupted context had 0xfffffff0/);
  });

  test('A-INV5: a V-GLOBAL irqentry_exit that forgets to give the task its saved count back (the old check lived there too)', async () => {
    const clean = await run('V-GLOBAL', grantAndIrq(), irqAfter(2), 'A-INV5-nested');
    expect(clean.failure).toBeNull();
    vi.resetModules();
    vi.doMock(ENTRY, async (orig) => {
      const m = await orig<typeof import('../../src/kernel/arch/x86/entry/common.js')>();
      const { pks } = await import('../../src/kernel/arch/x86/include/asm/pks.js');
      return {
        ...m,
        irqentry_exit: (x: Parameters<typeof m.irqentry_exit>[0], kind: Parameters<typeof m.irqentry_exit>[1]) => {
          const f = pks(x).frames[x.cpu()]!.at(-1)!;
          f.ref = 0; // the count saved at entry is lost
          m.irqentry_exit(x, kind);
        },
      };
    });
    const r = await run('V-GLOBAL', grantAndIrq(), irqAfter(2), 'A-INV5-nested');
    expect(r.failure?.invariant).toBe('page-protection/A-INV5-nested');
    expect(r.failure?.message).toMatch(/changed the grant count of the task it interrupted 1 → 0/);
  });

  test('no fault loop without a retry cap: a RELAXED handler that forgives without opening the key loops, and the engine reports it', async () => {
    const wl: PpWorkload = { isolated: false, tasks: [task([['stray', 0]])], irqs: [] };
    const clean = await run('V10-relaxed', wl, new Script(() => 0));
    expect(clean.failure).toBeNull();
    vi.resetModules();
    vi.doMock(PKEYS, async (orig) => ({ ...(await orig<typeof import('../../src/kernel/arch/x86/mm/pkeys.js')>()), pks_update_exception: () => {} }));
    const r = await run('V10-relaxed', wl, new Script(() => 0));
    expect(r.failure).toMatchObject({ kind: 'livelock', invariant: 'kernel/progress' });
    expect(r.counters['pk_fault']).toBeGreaterThan(50);
  });

  test('fault-policy: a RELAXED forgiveness without its WARN_ONCE (the old FORGIVE event carried the kernel\'s own "warned" flag)', async () => {
    const wl: PpWorkload = { isolated: false, tasks: [task([['stray', 0]])], irqs: [] };
    vi.doMock(THREAD, async (orig) => ({ ...(await orig<typeof import('../../src/sim/thread.js')>()), WARN_ON_ONCE: (_x: unknown, cond: boolean) => cond }));
    const r = await run('V10-relaxed', wl, new Script(() => 0), 'fault-policy');
    expect(r.failure?.invariant).toBe('page-protection/fault-policy');
    expect(r.failure?.message).toMatch(/forgiven in RELAXED mode, and the kernel log has no WARNING/);
  });

  test('cpu-isolation is judged from the IPIs the engine recorded, whatever the kernel code says', async () => {
    const { ppInvariants } = await import('../../properties/page-protection-invariants.js');
    const inv = ppInvariants.find((i) => i.name === 'page-protection/cpu-isolation')!;
    const spec = { context: { isolated: 1 } } as never;
    const ghost = (to: number) => ({ step: 3, open: [[], []], tasks: {}, ended: [], ipis: [{ from: 0, to, name: 'pkrs_ipi', step: 2 }] }) as never;
    expect(inv.check!({} as never, spec, ghost(1))).toBe('cpu0 sent pkrs_ipi to isolated cpu1 (step 2)');
    expect(inv.check!({} as never, spec, ghost(0))).toBeUndefined();
  });
});

describe('a softirq run from local_bh_enable() inside a grant (V10, no irqentry)', () => {
  const wl: PpWorkload = {
    isolated: false,
    tasks: [task([['local', 0], ['bh_disable'], ['bh_enable'], ['write', 0], ['unlocal', 0]])],
    irqs: [{ cpu: 0, kind: 'softirq', ops: [['stray', 1]] }],
  };
  const fromBh = new Script((keys) => keys.findIndex((k) => k.startsWith('b1@')));

  test('runs with the task\'s grant: A-INV3 at its first step', async () => {
    const r = await run('V10-bh-softirq', wl, fromBh);
    expect(r.failure?.invariant).toBe('page-protection/A-INV3-exception-isolation');
    expect(r.failure?.message).toMatch(/cpu0 runs a softirq \(interrupting A\) with PKRS 0xfffffff0 open for key 1/);
    expect(r.trace!.some((s) => /softirq irq0 runs from local_bh_enable\(\) in A/.test(s.what))).toBe(true);
  });

  test('and its stray write to another page of the key succeeds (the observable harm)', async () => {
    const r = await run('V10-bh-softirq', wl, fromBh, 'stray-write');
    expect(r.failure?.invariant).toBe('page-protection/stray-write');
    expect(r.failure?.message).toMatch(/WRITE\(task=A, cpu=0, page=1, via=stray, ok=true\)/);
  });

  test('a softirq that touches no device memory: harmless at irq_exit (irqentry saves PKRS), still a grant it should not have from local_bh_enable()', async () => {
    const plain: PpWorkload['irqs'] = [{ cpu: 0, kind: 'softirq', ops: [['write', 2]] }];
    const atIrqExit = await run('V10-bh-softirq', { ...grantAndIrq('softirq'), irqs: plain }, irqAfter(2));
    expect(atIrqExit.failure).toBeNull();
    expect(atIrqExit.trace!.some((s) => /softirq irq0 interrupts A/.test(s.what))).toBe(true);
    const fromBhPlain = await run('V10-bh-softirq', { ...wl, irqs: plain }, fromBh);
    expect(fromBhPlain.failure?.invariant).toBe('page-protection/A-INV3-exception-isolation');
  });
});

test('do_kern_addr_fault() runs with irqs off: no interrupt ever nests in a #PF', async () => {
  const { check } = await import('../../src/index.js');
  const nestsInPf: Invariant = {
    name: 'test/no-irq-in-pf',
    description: 'no hardirq or softirq opens above an exception; an exception is entered with irqs off',
    check(_w, _s, ghost) {
      for (const open of ghost.open) {
        const pf = open.findIndex((r) => r.kind === 'exception');
        if (pf >= 0 && !open[pf]!.entry.irqsOff) return 'a #PF entered with irqs on';
        if (pf >= 0 && open.slice(pf + 1).some((r) => r.kind === 'hardirq' || r.kind === 'softirq')) return 'an interrupt nested in a #PF';
      }
    },
  };
  const r = check({ protocol: 'page-protection', variant: 'V-TGLX-strict', runs: 400, seed: 3, invariants: [nestsInPf] });
  expect(r.ok ? 'holds' : r.failure.message).toBe('holds');
  expect(r.stats.counters['pk_fault']).toBeGreaterThan(50);
});

test('PKS_INIT_VALUE: key 0 read-write, every other key AD|WD', async () => {
  const { PKS_INIT_VALUE, PKS_NUM_KEYS, PKEY_NO_ACCESS, pkey_update_pkval, pkrsAllowsWrite } = await import('../../src/kernel/arch/x86/include/asm/pks.js');
  let v = 0;
  for (let k = 1; k < PKS_NUM_KEYS; k++) v = pkey_update_pkval(v, k, PKEY_NO_ACCESS);
  expect(PKS_INIT_VALUE).toBe(v);
  expect(pkrsAllowsWrite(PKS_INIT_VALUE, 0)).toBe(true);
});
