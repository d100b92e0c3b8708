/**
 * Survivors judged by reading the mutant against the kernel source and the invariants:
 * 'equivalent' (no correct run can tell the mutant from the model: the reason says why) or 'gap'
 * (a real difference the checks miss: the reason says which workload or invariant would catch it).
 * Keyed by mutantKey (file, kind, original line, mutation), so judgments survive unrelated edits.
 */
import { mutantKey } from './results.js';

export interface Judgment { verdict: 'equivalent' | 'gap'; reason: string }

export const judge = (file: string, kind: string, original: string, mutation: string, verdict: Judgment['verdict'], reason: string) =>
  [mutantKey(file, { kind: kind as never, original, mutation }), { verdict, reason }] as const;

export const JUDGED = new Map<string, Judgment>([
]);
