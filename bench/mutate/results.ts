/** The campaign's results, kept in bench/mutate/results.json so the report can be rendered without re-running it. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mutant } from './mutator.js';

export type Status = 'killed' | 'survived' | 'timed-out' | 'crashed';

export interface MutantResult extends Omit<Mutant, 'edit' | 'file'> {
  status: Status;
  /** killed: the correct variant that failed, and the invariant it reported */
  variant?: string;
  invariant?: string;
  /** killed by a buggy variant no longer caught as expected (variant, and what it reported instead) */
  lost?: true;
  /** crashed: the child's last stderr line */
  error?: string;
  ms: number;
}

export interface FileResults {
  /** mutants the mutator lists in the file */
  listed: number;
  /** --max: how many of them were sampled (seeded); absent: all ran */
  sampled?: number;
  results: MutantResult[];
}

export interface ProtocolResults {
  date: string;
  variants: string[];
  runs: number;
  seed: number;
  maxSteps: number;
  timeoutMs: number;
  /** the correct variants on the unmutated model, compiled as the mutants are */
  baselineMs: number;
  /**
   * the buggy variants' phase: each variant's run budget for a mutant, and the run at which the
   * unmutated model caught it (seed above); variants it did not catch as expected are left out
   */
  buggy?: { variant: string; baselineRun: number; runs: number }[];
  /** buggy variants the unmutated model did not catch as expected within the probe budget */
  buggyLeftOut?: string[];
  /** child processes at a time (absent in older results: 2) */
  jobs?: number;
  files: Record<string, FileResults>;
}

export type Results = Record<string, ProtocolResults>;

export const resultsPath = (root: string) => join(root, 'bench', 'mutate', 'results.json');

export function loadResults(root: string): Results {
  const p = resultsPath(root);
  return existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) as Results : {};
}

export function saveResults(root: string, r: Results): void {
  writeFileSync(resultsPath(root), `${JSON.stringify(r, null, 1)}\n`);
}

/** How much of the original text names a mutant, with its kind, mutation and ordinal `n`. */
export const ORIGINAL_KEY = 80;

/** The identity of a mutant for judgments (per protocol: a judgment is about its correct variants): stable when unrelated lines move. */
export const mutantKey = (protocol: string, file: string, m: Pick<MutantResult, 'kind' | 'original' | 'mutation' | 'n'>) =>
  `${protocol}|${file}|${m.kind}|${m.mutation}|${m.original.slice(0, ORIGINAL_KEY)}${m.n ? `#${m.n}` : ''}`;
