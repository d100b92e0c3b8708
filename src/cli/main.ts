#!/usr/bin/env node
/**
 * kcheck: a thin shell over the API. Exit codes: 0 all hold, 1 counterexample found, 2 bad input
 * (always one line on stderr, never a stack trace).
 */
import { Command, CommanderError, Option } from 'commander';
import { BadInput, MAX_CPUS, PREEMPT_MODELS, STRATEGIES } from '../check/options.js';
import { BadToken } from '../check/token.js';
import { InvariantThrew } from '../engine/engine.js';
import { auditCommand } from './audit.js';
import { compareCommand } from './compare.js';
import { coverageCommand } from './coverage.js';
import { listCommand } from './list.js';
import { replayCommand } from './replay.js';
import { runCommand, shardFlag } from './run.js';
import { EXIT, intFlag, paramFlag, secondsFlag } from './shared.js';

const program = new Command('kcheck')
  .description('property-based verification of Linux-kernel concurrency protocols')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ writeErr: () => {} }) // errors are printed once, below, as one line
  .showSuggestionAfterError(false);

program.command('list')
  .description('protocols, their variants (correct or buggy, with sources) and invariants')
  .option('--json', 'print JSON')
  .action((o) => { process.exitCode = listCommand(o); });

const common = (cmd: Command) => cmd
  .addOption(new Option('--runs <n>', 'executions per variant (default 1000)').argParser(intFlag(1, 1e9)))
  .addOption(new Option('--seed <s>', 'fast-check seed (default random)').argParser(intFlag(-0x80000000, 0x7fffffff)))
  .addOption(new Option('--cpus <n>', 'simulated CPUs (default 2)').argParser(intFlag(1, MAX_CPUS)))
  .option('--json', 'print the results as JSON');

common(program.command('run')
  .description("check protocols (default: every protocol's correct variants)")
  .argument('[protocol...]', 'protocols to check (default: all)'))
  .option('--variant <name>', 'check this variant only')
  .addOption(new Option('--ops <n>', 'operations per task (default 6)').argParser(intFlag(1, 64)))
  .addOption(new Option('--time-limit <sec>', 'stop generating runs after this many seconds, per variant').argParser(secondsFlag))
  .option('--invariants <file>', 'extra invariants from a .ts/.js file')
  .addOption(new Option('--strategy <name>', 'portfolio | random | pct | dfs | bfs (default portfolio: random and PCT runs mixed; see docs/strategies.md)').choices(STRATEGIES))
  .option('--no-swarm', 'every run may use every operation kind (default: swarm testing draws a subset per run)')
  .addOption(new Option('--param <name=value>', 'fix a workload parameter of the protocol (repeatable; see kcheck list)').argParser(paramFlag).default({}))
  .addOption(new Option('--depth <d>', 'pct: bug depth d, d-1 priority change points (default 3)').argParser(intFlag(1, 16)))
  .addOption(new Option('--preemption-bound <b>', 'preemptions per run (switches away from a unit that could go on); default none for random/pct, 2 for dfs/bfs').argParser(intFlag(0, 64)))
  .addOption(new Option('--preempt <model>', "the kernel's preemption model: none | voluntary | full | rt (default: the variant's kernel, else full)").choices(PREEMPT_MODELS))
  .addOption(new Option('--env-steps <n>', 'environment actions (speculative fills, write-backs) per run (default 32)').argParser(intFlag(0, 10_000)))
  .addOption(new Option('--max-states <n>', 'dfs/bfs: stop after this many distinct states (default 200000)').argParser(intFlag(1, 1e9)))
  .option('--reduction', 'dfs: sleep-set partial-order reduction (default off; see docs/strategies.md)')
  .option('--coverage', 'measure statechart state, transition and transition-pair coverage')
  .addOption(new Option('--workers <n>', 'spread runs over n worker threads; same seed, same result for any n').argParser(intFlag(1, 64)))
  .addOption(new Option('--shard <i/n>', 'run only shard i of n (1-based), for a CI matrix').argParser(shardFlag))
  .action(async (names: string[], o) => { process.exitCode = await runCommand(names, o); });

program.command('replay')
  .description('re-execute a counterexample token: exit 1 if it still fails, 0 if it now holds')
  .argument('<token>', 'a kc2.… token from a report')
  .option('--json', 'print the result as JSON')
  .option('--invariants <file>', 'extra invariants from a .ts/.js file')
  .action(async (token: string, o) => { process.exitCode = await replayCommand(token, o); });

common(program.command('audit')
  .description('self-check: every buggy variant caught by its invariant, every correct one holds')
  .argument('[protocol...]', 'protocols to audit (default: all)'))
  .action((names: string[], o) => { process.exitCode = auditCommand(names, o); });

common(program.command('compare')
  .description('every variant of one protocol on the same seed: safety verdict and mean cost per operation')
  .argument('<protocol>', 'the protocol to compare'))
  .option('--correct', 'only the correct variants')
  .option('--workload <variant>', "run every variant on this variant's workloads (the same runs for all)")
  .action((name: string, o) => { process.exitCode = compareCommand(name, { ...o, runs: o.runs ?? 500, seed: o.seed ?? 1 }); });

program.command('coverage')
  .description("line and branch coverage of the kernel model that each variant's default run reaches, and the branches none takes")
  .argument('[protocol...]', 'protocols to measure (default: all)')
  .option('--variant <name>', 'measure this variant only')
  .addOption(new Option('--seed <s>', 'seed of every run (default 1)').argParser(intFlag(-0x80000000, 0x7fffffff)))
  .option('--json', 'print the coverage as JSON')
  .action(async (names: string[], o) => { process.exitCode = await coverageCommand(names, o); });

function fail(message: string): void {
  process.stderr.write(`kcheck: error: ${message.split('\n')[0]}\n`);
  process.exitCode = EXIT.badInput;
}

// `kcheck list | head` closes stdout early: that is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') process.exitCode = 0;
    else fail(e.message.replace(/^error: /, ''));
  } else if (e instanceof BadInput || e instanceof BadToken || e instanceof InvariantThrew) {
    fail(e.message);
  } else {
    // a bug in kcheck itself: one line, the stack only on request
    process.stderr.write(`kcheck: internal error: ${e instanceof Error ? e.message : String(e)}${process.env.KCHECK_DEBUG ? `\n${(e as Error).stack}` : ' (KCHECK_DEBUG=1 shows the stack)'}\n`);
    process.exitCode = 70;
  }
}
