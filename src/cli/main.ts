#!/usr/bin/env node
/**
 * kcheck: a thin shell over the API, its commands and options generated from the option table
 * (options.ts). Exit codes: 0 all hold, 1 counterexample found, 2 bad input (always one line on
 * stderr, never a stack trace), 3 inconclusive (an exhaustive search or proof stopped early, a replay
 * that no longer follows its schedule).
 */
import { Command, CommanderError } from 'commander';
import { BadInput } from '../check/options.js';
import { BadToken } from '../check/token.js';
import { InvariantThrew } from '../engine/engine.js';
import { auditCommand } from './audit.js';
import { compareCommand } from './compare.js';
import { coverageCommand } from './coverage.js';
import { diagramCommand } from './diagram.js';
import { listCommand } from './list.js';
import { mergeCommand } from './merge.js';
import { proveCommand } from './prove.js';
import { COMMANDS, commanderOption, type OptionName } from './options.js';
import { replayCommand } from './replay.js';
import { runCommand } from './run.js';
import { EXIT } from './shared.js';

type Action = (args: unknown[], o: Record<string, unknown>) => Promise<number>;

const ACTIONS: Record<string, Action> = {
  list: (_, o) => listCommand(o),
  run: ([names], o) => runCommand(names as string[], o),
  replay: ([token], o) => replayCommand(token as string, o),
  audit: ([names], o) => auditCommand(names as string[], o),
  compare: ([name], o) => compareCommand(name as string, o),
  prove: ([names], o) => proveCommand(names as string[], o),
  coverage: ([names], o) => coverageCommand(names as string[], o),
  diagram: ([name], o) => diagramCommand(name as string, o),
  merge: async ([files], o) => mergeCommand(files as string[], o),
};

const program = new Command('kcheck')
  .description('property-based verification of Linux-kernel concurrency protocols')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ writeErr: () => {} }) // errors are printed once, below, as one line
  .showSuggestionAfterError(true);

for (const spec of COMMANDS) {
  const cmd = program.command(spec.name).description(spec.what).exitOverride();
  if (spec.args) cmd.argument(spec.args);
  for (const [name, use] of Object.entries(spec.options)) cmd.addOption(commanderOption(name as OptionName, use));
  const action = ACTIONS[spec.name]!;
  cmd.action(async (...args: unknown[]) => {
    const o = args[args.length - 2] as Record<string, unknown>;
    process.exitCode = await action(args.slice(0, -2), o);
  });
}

/** One line: commander's "(Did you mean …?)" joins the message it belongs to. */
function fail(message: string): void {
  process.stderr.write(`kcheck: error: ${message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ')}\n`);
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
