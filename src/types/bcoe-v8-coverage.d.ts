/** The part of @bcoe/v8-coverage (no bundled types) kcheck uses: merging V8 script coverage. */
declare module '@bcoe/v8-coverage' {
  import type { Profiler } from 'node:inspector';
  export function mergeScriptCovs(scripts: Profiler.ScriptCoverage[]): Profiler.ScriptCoverage | undefined;
}
