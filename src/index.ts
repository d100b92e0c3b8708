/**
 * kcheck's public API: check() returns results as data, assert() throws a rendered report,
 * replay() re-executes a token; defineInvariant()/defineProtocol() extend the suite, a Registry
 * holds protocols by name (`builtins.with(mine)`), defineConfig() types kcheck.config.ts.
 * The modelling primitives for writing a protocol are in 'kcheck/sim'.
 */
import { check, type CheckResult } from './check/check.js';
import type { CheckOptions } from './check/options.js';
import type { Config } from './load.js';
import { colors, renderCheck } from './report/text.js';

export { check, replay } from './check/check.js';
export type { CheckResult, Counterexample, ReplayOptions, ReplayResult, Stats } from './check/check.js';
export type { CheckOptions } from './check/options.js';
export { BadInput } from './check/options.js';
export type { Execution, Failure, FailureKind, TraceStep } from './engine/result.js';
export type { Scenario, SourceFile } from './check/token.js';
export { decodeToken, encodeToken } from './check/token.js';
export { asExpected, defineInvariant, defineProtocol } from './protocol.js';
export type { ContextKind, EnvAction, Hooks, Invariant, IrqProgram, Parameter, ProofBounds, Protocol, Setup, TaskProgram, Variant, WorkloadOptions } from './protocol.js';
export type { ContextRecord, ContextSnapshot, EndedContext, Ghost, Ipi, Release } from './engine/ghost.js';
export { builtins, protocols } from './protocols.js';
export { Registry, findVariant } from './registry.js';
export type { Exec, Gen, YieldPoint } from './sim/thread.js';
export type { Cpu, Task, World } from './sim/world.js';
export type { Config } from './load.js';
/** The kernel state of the built-in protocols (`w.k`), for invariant authors. */
export type { KmapState } from './kernel/mm/kmap-types.js';
export type { PasidState } from './kernel/mm/pasid-types.js';
export type { PpState as PageProtectionState } from './kernel/arch/x86/include/asm/pks.js';

/**
 * Like check(), but throws an Error whose message is the rendered report when a counterexample
 * was found or an exhaustive search stopped before it covered its space.
 */
export function assert(options: CheckOptions): Extract<CheckResult, { ok: true }> {
  const r = check(options);
  if (!r.ok || r.incomplete) throw new Error(renderCheck(r, colors(false)).join('\n'));
  return r;
}

/** kcheck.config.ts: `export default defineConfig({ protocols: ['my-protocol.ts'], invariants: ['my-invariants.ts'] })`. */
export function defineConfig(c: Config): Config {
  return c;
}
