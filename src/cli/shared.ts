/** What every command shares: exit codes, output, colours, progress. */
import cliProgress from 'cli-progress';
import { colorEnabled, colors, type Colors } from '../report/text.js';

/**
 * 0 holds, 1 counterexample (or a failed audit row), 2 bad input, 3 inconclusive: an exhaustive
 * search stopped by a bound before it covered its space, or a replay whose program no longer
 * follows the recorded schedule and that found nothing
 */
export const EXIT = { holds: 0, counterexample: 1, badInput: 2, incomplete: 3 } as const;

export const out = (line = '') => process.stdout.write(`${line}\n`);
export const json = (v: unknown) => out(JSON.stringify(v, null, 2));
export const stdoutColors = (): Colors => colors(colorEnabled(process.stdout));

export type ReporterName = 'text' | 'json' | 'junit' | 'html' | 'mermaid' | 'itf';

/** --json is --reporter json. */
export const reporterOf = (o: { json?: boolean; reporter?: ReporterName }): ReporterName => (o.json ? 'json' : o.reporter ?? 'text');

export interface Progress { update(done: number, total: number): void; stop(): void }

/**
 * A progress bar on stderr with the elapsed time, for every long phase (runs, blocks of workers
 * and shards, audit and compare rows), only on a TTY outside CI.
 */
export function progress(label: string, enabled: boolean, unit = 'runs'): Progress {
  if (!enabled || !process.stderr.isTTY || process.env.CI) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar({
    stream: process.stderr, format: `${label} [{bar}] {value}/{total} ${unit}, {duration_formatted} elapsed`, hideCursor: true, clearOnComplete: true,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(done, total) {
      if (!started) { bar.start(total, 0); started = true; }
      bar.update(done);
    },
    stop() { if (started) bar.stop(); },
  };
}
