/** Text rendering at the edge: lanes per CPU, switch marks, the refusing spec state, colour rules. */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { check } from '../../../src/index.js';
import type { TraceStep } from '../../../src/engine/result.js';
import { colorEnabled, colors, renderTrace } from '../../../src/report/text.js';
import { rendered } from '../../helpers/report.js';

const plain = colors(false);
const step = (i: number, cpu: number, switched: boolean, extra: Partial<TraceStep> = {}): TraceStep =>
  ({ i, cpu, ctx: 'task A', fn: 'fn', what: `what ${i}`, changes: [], spec: [], warnings: [], switched, ...extra });

afterEach(() => { vi.unstubAllEnvs(); });

describe('renderTrace', () => {
  test('one lane per CPU, ● on the CPU that ran the step, ⇄ on a preemption, · when another unit goes on after one stopped', () => {
    const lines = renderTrace([step(0, 0, true), step(1, 2, true, { preempted: true }), step(2, 2, false), step(3, 1, true)], 3, plain);
    expect(lines).toHaveLength(5); // header + 4 steps
    expect(lines[1]).toMatch(/^\s+0 {2}●││ {3}task A/); // the first step is never marked
    expect(lines[2]).toMatch(/^\s+1 {2}││● ⇄ task A/);
    expect(lines[3]).toMatch(/^\s+2 {2}││● {3}task A/);
    expect(lines[4]).toMatch(/^\s+3 {2}│●│ · task A/);
  });

  test('changed values, spec events and warnings follow their step, in that order', () => {
    const lines = renderTrace([step(0, 0, false, { changes: ['x: 0 → 1'], spec: ['KMAP(task=A)'], warnings: ['WARNING at f'] })], 1, plain);
    expect(lines.slice(2).map((l) => l.trim())).toEqual(['x: 0 → 1', 'spec ← KMAP(task=A)', 'WARNING at f']);
  });
});

describe('renderTrace of a long (livelock) trace', () => {
  test('shows the first 40 and the last 60 steps and says how many it left out', () => {
    const trace = Array.from({ length: 500 }, (_, i) => step(i, 0, false));
    const lines = renderTrace(trace, 1, plain);
    expect(lines).toHaveLength(1 + 40 + 1 + 60);
    expect(lines[40]).toMatch(/^\s+39 /);
    expect(lines[41]).toContain('400 steps not shown');
    expect(lines[42]).toMatch(/^\s+440 /);
    expect(lines.at(-1)).toMatch(/^\s+499 /);
  });

  test('a trace of up to 100 steps is shown whole', () => {
    expect(renderTrace(Array.from({ length: 100 }, (_, i) => step(i, 0, false)), 1, plain)).toHaveLength(101);
  });
});

describe('renderCounterexample', () => {
  test('a refusal shows the refused event and the spec state that refused it', () => {
    const r = check({ protocol: 'kmap', variant: 'M-B3', runs: 2000, seed: 2 });
    if (r.ok) throw new Error('M-B3 should fail');
    const text = rendered(r);
    expect(r.failure.kind).toBe('spec-refused');
    expect(text).toContain(`spec state that refused ${r.failure.event}: ${r.failure.specState}`);
    expect(text).toContain(`(spec-refused, after step ${r.failure.step})`);
    for (const line of r.workload) expect(text).toContain(line);
    // every step of the trace is printed, numbered from 0
    expect(text).toContain(`${String(r.trace.length - 1).padStart(6)}  `);
  });
});

describe('colours', () => {
  test('colors(false) adds no escape codes, colors(true) does', () => {
    expect(plain.red('x')).toBe('x');
    expect(colors(true).red('x')).not.toBe('x');
  });

  test('only on a TTY, and never with CI or NO_COLOR set', () => {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    vi.stubEnv('CI', '');
    vi.stubEnv('NO_COLOR', '');
    expect(colorEnabled(tty)).toBe(true);
    expect(colorEnabled({ isTTY: false } as NodeJS.WriteStream)).toBe(false);
    vi.stubEnv('CI', 'true');
    expect(colorEnabled(tty)).toBe(false);
    vi.stubEnv('CI', '');
    vi.stubEnv('NO_COLOR', '1');
    expect(colorEnabled(tty)).toBe(false);
  });
});
