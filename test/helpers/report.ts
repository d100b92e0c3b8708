/** The rendered counterexample as a user reads it (no colours), for comparing runs and replays. */
import type { Counterexample } from '../../src/index.js';
import { colors, renderCounterexample } from '../../src/report/text.js';

export const rendered = (cx: Counterexample): string => renderCounterexample(cx, colors(false)).join('\n');

/** What must survive a replay: the failure, where it happened, and the whole report. */
export function replayable(cx: Counterexample) {
  return { kind: cx.failure.kind, invariant: cx.failure.invariant, step: cx.failure.step, message: cx.failure.message, report: rendered(cx) };
}
