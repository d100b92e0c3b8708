/**
 * kcheck/vitest: protocol checks as vitest tests, in the style of @fast-check/vitest.
 *
 *   import { test } from 'kcheck/vitest';
 *   test.check({ protocol: refcount, variant: 'dec-and-test', runs: 500 })('holds');
 *   test.counterexample({ protocol: refcount, variant: 'dec-then-read' })('is caught', (cx) => {
 *     expect(cx.failure.invariant).toBe('refcount/released-once');
 *   });
 *
 * A failing check fails the test with the rendered counterexample and its replay command as the
 * message; an exhaustive search that stopped early fails too (it proved nothing). `test` is
 * vitest's own test otherwise (test.skip, test.only, ... work as usual); so is `it`.
 */
import { it as vitestIt, test as vitestTest, type TestAPI } from 'vitest';
import { check, type CheckResult } from './check/check.js';
import type { CheckOptions } from './check/options.js';
import { colors, renderCheck } from './report/text.js';

type Passed = Extract<CheckResult, { ok: true }>;
type Failed = Extract<CheckResult, { ok: false }>;

/** The check's result when it holds; else an Error whose message is the rendered report (with the replay command). */
export function holds(options: CheckOptions): Passed {
  const r = check(options);
  if (!r.ok || r.incomplete) throw new KcheckError(renderCheck(r, colors(false)).join('\n'));
  return r;
}

/** The counterexample the check finds; an Error saying what it established when it finds none. */
export function counterexample(options: CheckOptions): Failed {
  const r = check(options);
  if (r.ok) throw new KcheckError(`expected a counterexample, found none:\n${renderCheck(r, colors(false)).join('\n')}`);
  return r;
}

export class KcheckError extends Error {
  constructor(report: string) {
    super(report);
    this.name = 'KcheckError';
    this.stack = `${this.name}: ${report}`; // the report is the whole story: no stack inside kcheck
  }
}

type Body<R> = (result: R) => unknown;
type Register<R> = (name: string, body?: Body<R>, timeout?: number) => void;

/** vitest's test, plus test.check(options)(name, body?) and test.counterexample(options)(name, body?). */
export type KcheckTest = TestAPI & {
  check(options: CheckOptions): Register<Passed>;
  counterexample(options: CheckOptions): Register<Failed>;
};

function extended(base: TestAPI): KcheckTest {
  const register = <R>(run: (o: CheckOptions) => R) => (options: CheckOptions): Register<R> => (name, body, timeout) => {
    base(name, async () => { await body?.(run(options)); }, timeout);
  };
  const extra = { check: register(holds), counterexample: register(counterexample) };
  return new Proxy(base, { get: (target, prop, receiver) => (prop in extra ? extra[prop as keyof typeof extra] : Reflect.get(target, prop, receiver)) }) as KcheckTest;
}

export const test: KcheckTest = extended(vitestTest);
export const it: KcheckTest = extended(vitestIt);
