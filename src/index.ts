/**
 * kcheck's public API: check() returns results as data, assert() throws a rendered report,
 * replay() re-executes a token; defineInvariant()/defineProtocol() extend the suite.
 */
import { check, type CheckResult } from './check/check.js';
import type { CheckOptions } from './check/options.js';
import { colors, renderCheck } from './report/text.js';

export { check, replay } from './check/check.js';
export type { CheckResult, Counterexample, ReplayResult, Stats } from './check/check.js';
export type { CheckOptions } from './check/options.js';
export type { Execution, Failure, FailureKind, TraceStep } from './engine/result.js';
export type { Scenario } from './check/token.js';
export { decodeToken, encodeToken } from './check/token.js';
export { asExpected, defineInvariant, defineProtocol } from './protocol.js';
export type { ContextKind, EnvAction, Hooks, Invariant, IrqProgram, Parameter, ProofBounds, Protocol, Setup, TaskProgram, Variant, WorkloadOptions } from './protocol.js';
export type { ContextRecord, ContextSnapshot, EndedContext, Ghost, Ipi } from './engine/ghost.js';
export { protocols } from './protocols.js';
export type { Exec, Gen, YieldPoint } from './sim/thread.js';
export type { Cpu, Task, World } from './sim/world.js';

/**
 * Like check(), but throws an Error whose message is the rendered report when a counterexample
 * was found or an exhaustive search stopped before it covered its space.
 */
export function assert(options: CheckOptions): Extract<CheckResult, { ok: true }> {
  const r = check(options);
  if (!r.ok || r.incomplete) throw new Error(renderCheck(r, colors(false)).join('\n'));
  return r;
}
