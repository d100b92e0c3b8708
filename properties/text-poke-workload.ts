/**
 * Workloads for the text-poke protocol: processes (one mm each, optionally a second thread on
 * another CPU) whose tasks store to one of their two user pages (at poking_addr, colliding with
 * the alias, and the page after it; faulted in again after an unmapping), unmap one, set a user
 * watchpoint on poking_addr, or poke kernel text from a syscall; kernel threads (lazy TLB mode on
 * whatever mm ran before them) that poke or reclaim one of a process's pages; device interrupts.
 * Every process exits at the end (exit_mmap on the CPU of its last thread). The same environment
 * for every variant: a variant differs only in kernel code.
 */
import * as fc from 'fast-check';
import type { Parameter, ProofBounds, WorkloadOptions } from '../src/protocol.js';
import { TEXT_PFNS } from '../src/kernel/mm/text-poke-types.js';

/** a poke of text page `page` (index into TEXT_PFNS), crossing into the next page when `cross` */
export type Poke = ['poke', number, boolean];
/** the pages of a process's one VMA: poking_addr and the page after it */
export const USER_PAGES = 2;
/** a user page: 0 is the page at poking_addr, 1 the page after it */
export type UserOp = ['store', number] | ['munmap', number] | ['watch'] | Poke;
/** a reclaim of page `page` (as UserOp) of process `proc` */
export type KthreadOp = Poke | ['reclaim', number, number];

export interface Thread { cpu: number; ops: UserOp[] }
export interface TextPokeWorkload {
  /** kaslr_get_random_long("Poking") in pages: where poking_init() puts poking_addr */
  kaslr: number;
  /** process i has mm 2 + i; `thread`: a second thread of it */
  procs: (Thread & { thread?: Thread })[];
  kthreads: { cpu: number; ops: KthreadOp[] }[];
  /** a device interrupt that recurs `times` times */
  irqs: { cpu: number; times: number }[];
}

export const OPERATIONS = ['poke', 'poke-cross', 'store', 'munmap', 'watch', 'reclaim', 'kthread', 'thread', 'irq'];

export const PARAMETERS: Parameter[] = [
  { name: 'kaslr', description: 'the random page offset poking_init() draws (7 makes the second page start a new PMD)', min: 0, max: 8 },
  { name: 'procs', description: 'user processes', min: 1, max: 2 },
  { name: 'kthreads', description: 'kernel threads (pokers and reclaim, in lazy TLB mode)', min: 0, max: 2 },
  { name: 'pages', description: 'user pages (of the two each process maps) that stores, munmaps and reclaims pick from (2: flushes of different pages of one mm, where flush_tlb_func() chooses a partial or a full flush)', min: 1, max: 2 },
];

const param = (o: { params?: Readonly<Record<string, number>> }, name: string, arb: fc.Arbitrary<number>) =>
  o.params?.[name] !== undefined ? fc.constant(o.params[name]!) : arb;

function pokeArb(kinds: (k: string) => boolean): fc.Arbitrary<Poke> {
  const last = TEXT_PFNS.length - 1;
  return fc.tuple(fc.nat({ max: last }), fc.boolean()).map(([page, cross]): Poke => ['poke', page, kinds('poke-cross') && cross && page < last]);
}

export function textPokeWorkload(o: WorkloadOptions<unknown>): fc.Arbitrary<TextPokeWorkload> {
  const has = (k: string) => o.kinds === undefined || o.kinds.has(k);
  return param(o, 'pages', fc.integer({ min: 1, max: 2 })).chain((pages) => workloadOf(o, has, pages));
}

function workloadOf(o: WorkloadOptions<unknown>, has: (k: string) => boolean, pages: number): fc.Arbitrary<TextPokeWorkload> {
  const cpu = fc.nat({ max: o.cpus - 1 });
  const page = fc.nat({ max: pages - 1 });
  const userItems: fc.Arbitrary<UserOp>[] = [];
  if (has('store')) userItems.push(page.map((p): UserOp => ['store', p]));
  if (has('munmap')) userItems.push(page.map((p): UserOp => ['munmap', p]));
  if (has('watch')) userItems.push(fc.constant<UserOp>(['watch']));
  if (has('poke')) userItems.push(pokeArb(has));
  const userOps = userItems.length ? fc.array(fc.oneof(...userItems), { maxLength: o.ops }) : fc.constant<UserOp[]>([]);
  const kItems: fc.Arbitrary<KthreadOp>[] = [];
  // kernel-thread pokers with 'kthread'; kswapd with 'reclaim' (reclaim is a kernel thread's job)
  if (has('poke') && has('kthread')) kItems.push(pokeArb(has));
  if (has('reclaim')) kItems.push(fc.tuple(fc.nat({ max: 1 }), page).map(([p, pg]): KthreadOp => ['reclaim', p, pg]));
  const kOps = kItems.length ? fc.array(fc.oneof(...kItems), { minLength: 1, maxLength: Math.min(o.ops, 3) }) : fc.constant<KthreadOp[]>([]);
  const thread = fc.record({ cpu, ops: userOps });
  const proc = fc.record({ cpu, ops: userOps, thread: has('thread') ? fc.option(thread, { nil: undefined, freq: 3 }) : fc.constant(undefined) })
    .map((p) => (p.thread === undefined ? { cpu: p.cpu, ops: p.ops } : p));
  // with kernel threads in the run at all, at least one (--param kthreads=0 still removes them)
  const nk = kItems.length ? param(o, 'kthreads', fc.integer({ min: 1, max: 2 })) : fc.constant(0);
  return fc.record({
    kaslr: param(o, 'kaslr', fc.integer({ min: 0, max: 8 })),
    procs: param(o, 'procs', fc.integer({ min: 1, max: 2 })).chain((n) => fc.array(proc, { minLength: n, maxLength: n })),
    kthreads: nk.chain((n) => fc.array(fc.record({ cpu, ops: kOps }), { minLength: n, maxLength: n })),
    irqs: has('irq') ? fc.array(fc.record({ cpu, times: fc.integer({ min: 1, max: 3 }) }), { maxLength: 1 }) : fc.constant([]),
  });
}

/** All sequences over `alphabet` of length 1..n, shortest first. */
function* sequences<T>(alphabet: T[], n: number): Generator<T[]> {
  let level: T[][] = [[]];
  for (let len = 1; len <= n; len++) {
    level = level.flatMap((s) => alphabet.map((a) => [...s, a]));
    yield* level;
  }
}

/**
 * The proof alphabet: one process on cpu 0 (store, watch, munmap of the page at poking_addr, a
 * poke of page 0) and one kernel thread (a poke of page 0 or a crossing poke of pages 1-2, a
 * reclaim of the process's page at poking_addr), each with up to `ops` operations; the kernel
 * thread on cpu 0 (where it runs lazily on the process's mm) or on the last CPU (concurrently
 * with it); no interrupts.
 */
export function* enumerateTextPoke(b: ProofBounds<unknown>): Iterable<TextPokeWorkload> {
  const kaslr = b.params?.['kaslr'] ?? 0;
  const user: UserOp[] = [['store', 0], ['watch'], ['munmap', 0], ['poke', 0, false]];
  const kthread: KthreadOp[] = [['poke', 0, false], ['poke', 1, true], ['reclaim', 0, 0]];
  const kcpus = [...new Set([0, b.cpus - 1])];
  for (const ks of sequences(kthread, b.ops)) {
    for (const kcpu of kcpus) {
      yield { kaslr, procs: [{ cpu: 0, ops: [] }], kthreads: [{ cpu: kcpu, ops: ks }], irqs: [] };
      for (const us of sequences(user, b.ops)) yield { kaslr, procs: [{ cpu: 0, ops: us }], kthreads: [{ cpu: kcpu, ops: ks }], irqs: [] };
    }
  }
}
