/**
 * Every kcheck command shown in README.md and in the guides this CLI owns runs as shown (issue 11):
 * no bad input (exit 2), an exit code the command can honestly give. KCHECK_RUNS keeps the big
 * ones short (it overrides --runs, which is what it is for): 30 runs, 200 for a shard (so that
 * each of 4 shards gets a block of 50), none for dfs/bfs (there --runs counts workloads, 1 by
 * default); `kc3.…` stands for a real token.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, kcheck, kcheckAsync, tokenIn } from '../helpers/cli.js';

const DOCS = ['README.md', 'docs/writing-a-protocol.md', 'docs/ci-sharding.md'];

/** `npx kcheck …` lines of sh blocks and `$ npx kcheck …` lines of text blocks, without comments and redirects. */
function commands(file: string): string[] {
  const text = readFileSync(`${ROOT}${file}`, 'utf8');
  const out: string[] = [];
  for (const block of text.matchAll(/```(sh|text)\n([\s\S]*?)```/g)) {
    for (const line of block[2]!.split('\n')) {
      const m = /^(?:\$ )?npx kcheck (.*)$/.exec(line.trim());
      if (!m || (block[1] === 'text' && !line.startsWith('$'))) continue;
      out.push(m[1]!.replace(/\s+#.*$/, '').replace(/\s*>\s*\S+\s*$/, '').trim());
    }
  }
  return out;
}

const token = tokenIn(kcheck('run', 'kmap', '--variant', 'M-B5', '--seed', '1').stdout);
const all = DOCS.flatMap((f) => commands(f).map((c) => [f, c] as const));

describe('commands in the docs', () => {
  test('there are commands to check (the extraction works)', () => {
    expect(all.length).toBeGreaterThan(20);
    expect(all.map(([, c]) => c)).toContain('run --protocol examples/counter.ts');
  });

  // two commands at a time: this file is the suite's longest, and its commands are independent
  test.concurrent.for(all)('%s: kcheck %s', async ([, cmd], { expect }) => {
    const args = cmd.replace(/kc3\.…/g, token).replace(/"\$SEED"/g, '1').replace(/"\$I\/4"/g, '1/4').split(/\s+/);
    const runs = /--strategy (dfs|bfs)/.test(cmd) ? {} : { KCHECK_RUNS: cmd.includes('--shard') ? '200' : '30' };
    // `kcheck merge kcheck-shard-*.json` needs the shards: made here, with the same runs and seed
    const cwd = args[0] === 'merge' ? mkdtempSync(join(tmpdir(), 'kcheck-readme-')) : ROOT;
    for (const [i, file] of args.slice(1).filter((a) => a.endsWith('.json')).entries()) {
      writeFileSync(join(cwd, file), kcheck('run', 'kmap', '--seed', '1', '--shard', `${i + 1}/4`, '--json', { env: { KCHECK_RUNS: '200' } }).stdout);
    }
    const r = await kcheckAsync(...args, { env: runs, cwd });
    expect(r.stderr, r.stderr).not.toMatch(/kcheck: (error|internal error)/);
    expect([0, 1, 3]).toContain(r.code);
  }, 180_000);
});
