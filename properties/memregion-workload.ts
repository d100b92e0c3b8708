/**
 * Workloads for the memregion protocol: the boot state (locked devices, whether the CXL region
 * is up), how fast an overwrite completes, and a few tasks, each a sequence of operations built
 * from snippets an administrator would run (disable, erase, enable, read back; tear a CXL region
 * down, retarget, commit, bind, read back), with loads and stores in between. The same callers
 * for every variant; a configuration without a CXL region gets no CXL operations, one where only
 * the DEVMEM importers use the interface gets no foreign module.
 */
import * as fc from 'fast-check';
import type { Parameter, ProofBounds, WorkloadOptions } from '../src/protocol.js';
import { DIMMS, type Addr, type Dev } from '../src/kernel/mm/memregion-types.js';
import type { Op } from './memregion-programs.js';
import type { MemregionVariantConfig } from './memregion-variants.js';

export interface MemregionWorkload {
  /** the devices not in use at boot are locked (the NVDIMM region then starts disabled) */
  locked: boolean;
  /** the CXL region is committed to mem0 and bound at boot */
  cxlUp: boolean;
  /** the CXL region is a ram region (dax kmem) rather than a pmem region (nd_region) */
  ram: boolean;
  /** status polls an overwrite takes */
  polls: number;
  tasks: { cpu: number; ops: Op[] }[];
}

export const memregionParameters: Parameter[] = [
  { name: 'locked', description: 'devices not in use at boot start locked (0/1)', min: 0, max: 1 },
  { name: 'cxlUp', description: 'the CXL region is committed to mem0 and bound at boot (0/1)', min: 0, max: 1 },
  { name: 'ram', description: 'the CXL region is a ram region onlined through dax, not a pmem region (0/1)', min: 0, max: 1 },
  { name: 'polls', description: 'query-overwrite polls an overwrite takes', min: 1, max: 2 },
  { name: 'tasks', description: 'tasks (administrators and software); generated: 1 or 2', min: 1, max: 3 },
];

const addrOfDimm = (d: Dev): Addr => (d === 'nmem0' ? 'Y0' : 'Y1');

type Weighted = { weight: number; arbitrary: fc.Arbitrary<Op[]> };

/**
 * The kinds of activity a task performs (the operation kinds of swarm testing): whole cycles an
 * administrator runs (write, tear down, change the media or the decode, bring up, read back),
 * plain accesses, single toggles, a foreign module load. A cycle keeps the operations that only
 * mean something together in one kind.
 */
export const ACTIVITIES = ['erase', 'overwrite', 'unlock', 'access', 'toggle', 'remap', 'cxl-erase', 'cxl-unlock', 'modprobe'] as const;
type Activity = (typeof ACTIVITIES)[number];

/**
 * The snippets of each activity a configuration has, weighted toward the cycles. The boot target
 * of the CXL region is mem0, so a retarget to mem1 is the likelier one. Unlocking by a driver
 * rebind is a user action only where the key comes late; otherwise the boot probes unlock.
 */
function snippets(c: MemregionVariantConfig): Partial<Record<Activity, Weighted>> {
  const dimm = fc.constantFrom(...DIMMS);
  const memdev = fc.constantFrom<Dev>('mem1', 'mem1', 'mem0');
  const cxl = c.kernel.cxl !== null;
  const addr = fc.constantFrom<Addr>(...(cxl ? ['Y0', 'Y1', 'X0'] as const : ['Y0', 'Y1'] as const));
  const w = (weight: number, arbitrary: fc.Arbitrary<Op[]>): Weighted => ({ weight, arbitrary });
  const toggles: Op[][] = [[['enable']], [['disable']], ...(cxl ? [[['commit']], [['decommit']], [['bind']], [['unbind']]] as Op[][] : [])];
  return {
    erase: w(3, dimm.map((d): Op[] => [['store', addrOfDimm(d)], ['disable'], ['erase', d], ['enable'], ['load', addrOfDimm(d)]])),
    overwrite: w(3, dimm.map((d): Op[] => [['disable'], ['overwrite', d], ['enable'], ['enable'], ['load', addrOfDimm(d)]])),
    ...(c.machine.lateUnlock ? {
      unlock: w(12, fc.tuple(dimm, fc.boolean()).map(([d, alone]): Op[] => (alone ? [['unlock', d]] : [['unlock', d], ['enable'], ['load', addrOfDimm(d)]]))),
    } : {}),
    access: w(3, fc.tuple(addr, fc.boolean()).map(([a, store]): Op[] => (store ? [['store', a], ['load', a]] : [['load', a]]))),
    toggle: w(1, fc.constantFrom(...toggles)),
    ...(cxl ? {
      remap: w(3, memdev.map((m): Op[] => [['store', 'X0'], ['decommit'], ['attach', m], ['commit'], ['bind'], ['load', 'X0']])),
      'cxl-erase': w(3, memdev.map((m): Op[] => [['store', 'X0'], ['unbind'], ['erase', m], ['bind'], ['load', 'X0']])),
      ...(c.machine.lateUnlock ? { 'cxl-unlock': w(2, memdev.map((m): Op[] => [['unlock', m], ['decommit'], ['attach', m], ['commit'], ['bind']])) } : {}),
    } : {}),
    ...(c.machine.foreignModules ? { modprobe: w(1, fc.constant<Op[]>([['modprobe']])) } : {}),
  };
}

function param(o: { params?: Readonly<Record<string, number>> }, name: string, arb: fc.Arbitrary<number>): fc.Arbitrary<number> {
  const v = o.params?.[name];
  return v === undefined ? arb : fc.constant(v);
}

export function memregionWorkload(o: WorkloadOptions<MemregionVariantConfig>): fc.Arbitrary<MemregionWorkload> {
  const c = o.variant.config;
  const kinds = Object.entries(snippets(o.variant.config)).filter(([k]) => !o.kinds || o.kinds.has(k)).map(([, s]) => s!);
  // a run whose kinds this configuration has none of gets idle tasks
  const ops = kinds.length === 0 ? fc.constant<Op[]>([])
    : fc.array(fc.oneof(...kinds), { minLength: 1, maxLength: 3 }).map((xs) => xs.flat().slice(0, o.ops));
  const task = fc.record({ cpu: fc.nat({ max: o.cpus - 1 }), ops });
  const bool = (name: string) => param(o, name, fc.nat({ max: 1 })).map((v) => v === 1);
  const tasks = param(o, 'tasks', fc.integer({ min: 1, max: 2 })).chain((n) => fc.array(task, { minLength: n, maxLength: n }));
  return fc.record({
    // a key that comes late matters only for devices locked at boot
    locked: c.machine.lateUnlock ? fc.constant(true) : bool('locked'),
    cxlUp: c.kernel.cxl ? bool('cxlUp') : fc.constant(false),
    ram: c.kernel.cxl ? bool('ram') : fc.constant(false),
    polls: param(o, 'polls', fc.integer({ min: 1, max: 2 })),
    tasks,
  });
}

/** The operations available to a configuration, one instance each (the alphabet of a proof). */
function alphabet(c: MemregionVariantConfig): Op[] {
  const ops: Op[] = [['enable'], ['disable'], ['erase', 'nmem0'], ['overwrite', 'nmem0'], ['store', 'Y0'], ['load', 'Y0']];
  if (c.machine.lateUnlock) ops.push(['unlock', 'nmem0']);
  if (c.kernel.cxl) ops.push(['store', 'X0'], ['load', 'X0'], ['decommit'], ['attach', 'mem1'], ['commit'], ['bind'], ['unbind'], ['erase', 'mem0']);
  if (c.machine.foreignModules) ops.push(['modprobe']);
  return ops;
}

/** Every sequence of 1..n operations over the alphabet, shortest first. */
function* sequences(ops: readonly Op[], n: number): Generator<Op[]> {
  let level: Op[][] = [[]];
  for (let len = 1; len <= n; len++) {
    level = level.flatMap((s) => ops.map((op) => [...s, op]));
    yield* level;
  }
}

function* product<T>(xs: readonly T[], n: number): Generator<T[]> {
  if (n === 0) {
    yield [];
    return;
  }
  for (const x of xs) for (const rest of product(xs, n - 1)) yield [x, ...rest];
}

/**
 * Every workload within the bounds, smallest first: n = 1.. tasks (task i on CPU i), each a
 * sequence of at most `ops` operations of the configuration's alphabet; boot parameters as fixed
 * by `params`, else the defaults (nothing locked, the CXL pmem region up, one poll).
 */
export function* enumerateMemregion(b: ProofBounds<MemregionVariantConfig>): Generator<MemregionWorkload> {
  const c = b.variant.config;
  const p = b.params ?? {};
  const boot = { locked: p['locked'] === 1, cxlUp: c.kernel.cxl !== null && p['cxlUp'] !== 0, ram: p['ram'] === 1, polls: p['polls'] ?? 1 };
  const seqs = [...sequences(alphabet(c), b.ops)];
  for (let n = 1; n <= Math.min(b.cpus, p['tasks'] ?? b.cpus); n++) {
    for (const progs of product(seqs, n)) yield { ...boot, tasks: progs.map((ops, cpu) => ({ cpu, ops })) };
  }
}
