/**
 * Every page-protection workload within proof bounds, each once, smallest first (what `kcheck
 * prove` explores with every interleaving). The alphabet is small and meaningful: each letter is
 * one complete use of the API a design's callers may make (a kmap_local section that writes, a
 * stray write, a crossed nesting, a bh region around or inside a grant, ...), so that every
 * program is legal and the known bugs need few letters. A program has at most `ops` letters;
 * tasks run one per CPU (the last one off an isolated CPU), an interrupt handler on CPU 0.
 */
import type { ProofBounds } from '../src/protocol.js';
import type { PpOp } from '../src/kernel/mm/pks-callers.js';
import { PKS_KEY_TEST } from '../src/kernel/arch/x86/include/asm/pks.js';
import type { PpVariantConfig } from './page-protection-variants.js';
import { allowed, PLAIN_PAGE, TEST_PAGE, type PpKind, type PpShape, type PpWorkload } from './page-protection-workload.js';

type Letter = PpOp[];
const write0: Letter = [['local', 0], ['write', 0], ['unlocal', 0]];

/** The letters a program may use: the shape's operations, each in its smallest meaningful form. */
function alphabet(shape: PpShape, k: Set<PpKind>, task: boolean, depth: number): Letter[] {
  const out: Letter[] = [];
  if (k.has('local')) out.push(write0);
  if (k.has('local') && depth > 1) out.push([['local', 0], ['local', 1], ['write', 1], ['unlocal', 1], ['write', 0], ['unlocal', 0]]);
  if (k.has('kmap')) out.push([['kmap', 0], ['write', 0], ['kunmap', 0]]);
  if (k.has('set')) out.push([['set', PKS_KEY_TEST], ['write', TEST_PAGE], ['clear', PKS_KEY_TEST]]);
  if (k.has('stray')) out.push([['stray', 1]], [['stray', TEST_PAGE]]);
  if (k.has('bh') && depth > 1) {
    out.push([['bh_disable'], ...write0, ['bh_enable']]);
    if (shape.bh === 'inside') out.push([['local', 0], ['bh_disable'], ['bh_enable'], ['write', 0], ['unlocal', 0]]);
  }
  if (task && k.has('cross') && depth > 1) {
    if (shape.crossNesting !== 'mirror') out.push([['kmap', 0], ['local', 0], ['write', 0], ['kunmap', 0], ['write', 0], ['unlocal', 0]]);
    if (shape.crossNesting !== 'forward') out.push([['local', 0], ['kmap', 0], ['write', 0], ['unlocal', 0], ['write', 0], ['kunmap', 0]]);
  }
  if (task && k.has('handoff') && (shape.handoff || shape.foreignKunmap !== 'none')) out.push([['give', 0]]);
  if (shape.handoff && k.has('handoff')) out.push([['use', 0]]);
  if (k.has('take')) out.push([['take', 0]]);
  if (k.has('fork')) out.push([['fork']]);
  if (k.has('fork') && k.has('local')) out.push([['local', 0], ['fork'], ['unlocal', 0]]);
  if (task && k.has('user')) out.push([['user']]);
  if (k.has('param')) for (const v of shape.paramWrites) out.push([['param', v]]);
  if (!out.length) out.push([['write', PLAIN_PAGE]]);
  return out;
}

/** Every word of exactly `n` letters. */
function* words(letters: Letter[], n: number): Generator<PpOp[]> {
  if (n === 0) { yield []; return; }
  for (const l of letters) for (const rest of words(letters, n - 1)) yield [...l, ...rest];
}

/** Every way to give `total` letters to `parts` programs, each at least 1 and at most `max`. */
function* splits(total: number, parts: number, max: number): Generator<number[]> {
  if (parts === 0) { if (total === 0) yield []; return; }
  for (let first = 1; first <= Math.min(max, total - parts + 1); first++) {
    for (const rest of splits(total - first, parts - 1, max)) yield [first, ...rest];
  }
}

function* product(lists: PpOp[][][]): Generator<PpOp[][]> {
  if (!lists.length) { yield []; return; }
  for (const head of lists[0]!) for (const rest of product(lists.slice(1))) yield [head, ...rest];
}

export function* ppEnumerate(b: ProofBounds<PpVariantConfig>): Generator<PpWorkload> {
  const shape = b.variant.config.shape;
  const o = { params: b.params };
  const depth = b.params?.['depth'] ?? 2;
  const used = shape.isolatedCpu && b.cpus > 1 ? b.cpus - 1 : b.cpus;
  const maxTasks = Math.min(shape.maxTasks ?? used, used);
  const taskCounts = b.params?.['tasks'] !== undefined ? [Math.min(b.params['tasks'], maxTasks)] : range(1, maxTasks);
  const irqCounts = shape.irqs === 'none' ? [0] : b.params?.['irqs'] !== undefined ? [Math.min(b.params['irqs'], 1)] : [0, 1];
  const irqKinds: ('hardirq' | 'softirq')[] = shape.irqs === 'nested' ? ['hardirq', 'softirq'] : shape.irqs === 'softirq' ? ['softirq'] : ['hardirq'];
  const letters = (i: number) => alphabet(shape, allowed(shape, o, true, i === 0 || !shape.oneKmapper), true, depth);
  const irqLetters = alphabet(shape, allowed(shape, o, false, false), false, 1);
  for (let total = 1; total <= b.ops * (maxTasks + 1); total++) {
    for (const nt of taskCounts) {
      for (const ni of irqCounts) {
        for (const kind of ni ? irqKinds : ['hardirq' as const]) {
          for (const sizes of splits(total, nt + ni, b.ops)) {
            const lists = sizes.map((n, i) => [...words(i < nt ? letters(i) : irqLetters, n)]);
            for (const progs of product(lists)) {
              yield {
                isolated: used < b.cpus,
                tasks: progs.slice(0, nt).map((ops, i) => ({ cpu: i % used, tif: shape.tif && i === 0, ops })),
                irqs: progs.slice(nt).map((ops) => ({ cpu: 0, kind, ops })),
              };
            }
          }
        }
      }
    }
  }
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
