/**
 * The one option table: every flag of every command, its default per command and its parser.
 * Commander's options (and so --help) and the README's option table are both generated from it
 * (`npm run docs:options` rewrites the README section; a test checks that they agree).
 *
 * To add an option: add an entry to OPTIONS (flags, what it does, parser or choices, env), then
 * name it in the `options` of each command that takes it in COMMANDS, with that command's
 * default. The option reaches the command's action under commander's camelCase key.
 */
import { Option } from 'commander';
import { DEFAULT_BUDGET, MAX_CPUS, PREEMPT_MODELS, STRATEGIES } from '../check/options.js';
import { intFlag, paramFlag, secondsFlag, shardFlag } from './flags.js';

export interface OptionSpec {
  /** commander flags: '--runs <n>' */
  flags: string;
  /** what it does (the default is added per command) */
  what: string;
  /** parses one value (commander's argParser) */
  parse?: (raw: string, previous: unknown) => unknown;
  /** the value must be one of these */
  choices?: readonly string[];
  /** an environment variable that overrides it */
  env?: string;
  /** the default where a command does not state its own */
  default?: string;
}

const collect = (raw: string, previous: unknown) => [...((previous as string[] | undefined) ?? []), raw];

export const OPTIONS = {
  protocol: { flags: '--protocol <file>', what: 'load protocols from a .ts/.js file (repeatable); tokens of its counterexamples name the file', parse: collect },
  invariants: { flags: '--invariants <file>', what: 'extra invariants from a .ts/.js file (repeatable); tokens name the file', parse: collect },
  config: { flags: '--config <file>', what: 'the config file listing protocol and invariant files', default: './kcheck.config.ts (.mts, .js, .mjs) if present' },
  variant: { flags: '--variant <name>', what: 'check this variant only' },
  runs: { flags: '--runs <n>', what: 'executions per variant', parse: intFlag(1, 1e9), env: 'KCHECK_RUNS' },
  seed: { flags: '--seed <s>', what: "fast-check's seed, printed in every report", parse: intFlag(-0x80000000, 0x7fffffff), env: 'KCHECK_SEED' },
  cpus: { flags: '--cpus <n>', what: `simulated CPUs (1-${MAX_CPUS})`, parse: intFlag(1, MAX_CPUS) },
  ops: { flags: '--ops <n>', what: 'operations per task in generated workloads (1-64)', parse: intFlag(1, 64) },
  timeLimit: { flags: '--time-limit <sec>', what: 'stop generating runs after this many seconds, per variant', parse: secondsFlag },
  json: { flags: '--json', what: 'print the result as JSON (the same as --reporter json)' },
  reporter: { flags: '--reporter <name>', what: 'output format' },
  strategy: { flags: '--strategy <name>', what: 'how schedules are chosen (docs/strategies.md; portfolio: random and PCT runs mixed)', choices: STRATEGIES },
  swarm: { flags: '--no-swarm', what: 'every run may use every operation kind (default: swarm testing draws a subset per run)' },
  param: { flags: '--param <name=value>', what: 'fix a workload parameter of the protocol (repeatable; see kcheck list)', parse: paramFlag },
  preempt: { flags: '--preempt <model>', what: "the kernel's preemption model", choices: PREEMPT_MODELS },
  depth: { flags: '--depth <d>', what: 'pct: bug depth d, d-1 priority change points (1-16)', parse: intFlag(1, 16) },
  preemptionBound: { flags: '--preemption-bound <b>', what: 'preemptions per run: switches away from a unit that could go on (0-64)', parse: intFlag(0, 64) },
  envSteps: { flags: '--env-steps <n>', what: 'environment actions (speculative fills, write-backs) per run', parse: intFlag(0, 10_000) },
  maxStates: { flags: '--max-states <n>', what: 'dfs/bfs: stop after this many distinct states (then incomplete, exit 3)', parse: intFlag(1, 1e9) },
  reduction: { flags: '--reduction <kind>', what: 'partial-order reduction: sleep (sleep sets), dpor (source-set DPOR with sleep sets, one execution per Mazurkiewicz trace, no preemption bound)' },
  delayBound: { flags: '--delay-bound <d>', what: 'bound delays (choices other than the first) instead of preemptions (0-64)', parse: intFlag(0, 64) },
  iterative: { flags: '--iterative', what: 'bounds 0, 1, ... up to the preemption (or delay) bound as far as the time limit allows; reports the largest completed' },
  coverage: { flags: '--coverage', what: 'measure statechart state, transition and transition-pair coverage' },
  workers: { flags: '--workers <n>', what: 'spread runs over n worker threads; same seed, same result for any n', parse: intFlag(1, 64) },
  shard: { flags: '--shard <i/n>', what: 'run only shard i of n (1-based), for a CI matrix; merge the JSON with kcheck merge', parse: shardFlag },
  correct: { flags: '--correct', what: 'only the correct variants' },
  workload: { flags: '--workload <variant>', what: "run every variant on this variant's workloads (the same runs for all)" },
} satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

/** How a command takes an option: its default as help and README print it, and its own choices. */
export interface Use { default?: string; choices?: readonly string[] }

export interface CommandSpec {
  name: string;
  args: string;
  what: string;
  options: Partial<Record<OptionName, Use>>;
}

const files = { protocol: {}, invariants: {}, config: {} } as const;

export const COMMANDS: CommandSpec[] = [
  { name: 'list', args: '', what: 'protocols, their variants (correct or buggy, with sources) and invariants', options: { ...files, json: {} } },
  {
    name: 'run', args: '[protocol...]', what: "check protocols (default: the user's protocols if files define any, else every built-in one; their correct variants)",
    options: {
      ...files, variant: { default: 'the correct ones' },
      runs: { default: `${DEFAULT_BUDGET.runs} within ${DEFAULT_BUDGET.seconds} s, whichever ends first (dfs/bfs: 1 workload)` }, seed: { default: 'random' }, cpus: { default: '2' }, ops: { default: '6' },
      timeLimit: { default: `${DEFAULT_BUDGET.seconds} s when --runs is not given, else none` }, json: {}, reporter: { default: 'text', choices: ['text', 'json', 'junit', 'html'] },
      strategy: { default: 'portfolio' }, swarm: {}, param: { default: 'the generator varies every parameter' }, depth: { default: '3' },
      preemptionBound: { default: 'none for portfolio/random/pct, 2 for dfs/bfs' }, preempt: { default: "the variant's kernel, else full" }, envSteps: { default: '32' },
      maxStates: { default: '200000' }, reduction: { default: 'none', choices: ['none', 'sleep'] }, coverage: { default: 'off' }, workers: { default: 'none (this thread)' }, shard: { default: 'the whole check' },
    },
  },
  {
    name: 'replay', args: '<token>', what: 'replay a counterexample token: exit 1 if it still fails, 0 if it now holds, 3 if the program no longer follows the schedule',
    options: { ...files, json: {}, reporter: { default: 'text', choices: ['text', 'json', 'html', 'mermaid', 'itf'] } },
  },
  {
    name: 'audit', args: '[protocol...]', what: 'self-check: every buggy variant caught by its invariant, every correct one holds',
    options: {
      ...files, runs: { default: 'buggy: up to 1000000 within 60 s; correct: 2000' }, seed: { default: 'random, printed' }, cpus: { default: '2' }, json: {},
      reporter: { default: 'text', choices: ['text', 'json', 'junit'] },
    },
  },
  {
    name: 'compare', args: '<protocol>', what: 'every variant of one protocol on the same seed: safety verdict and mean cost per operation',
    options: { ...files, runs: { default: '500' }, seed: { default: '1' }, cpus: { default: '2' }, json: {}, correct: { default: 'off' }, workload: { default: "each variant's own" } },
  },
  {
    name: 'prove', args: '[protocol...]', what: 'every correct variant (or the named one) over every workload within the bounds (Protocol.enumerate), with every interleaving within the preemption bound: exit 0 proved, 1 counterexample, 3 incomplete',
    options: {
      ...files, variant: { default: 'the correct ones' }, cpus: { default: '2' }, ops: { default: '2 (per program)' }, preemptionBound: { default: '2' }, delayBound: { default: 'none' },
      iterative: { default: 'off' }, reduction: { default: 'none', choices: ['none', 'sleep', 'dpor'] }, maxStates: { default: '200000 per workload and bound' },
      timeLimit: { default: 'none' }, workers: { default: 'none (this thread)' }, shard: { default: 'every workload' }, param: { default: 'every value' },
      preempt: { default: "the variant's kernel, else full" }, envSteps: { default: '32' }, json: {},
    },
  },
  {
    name: 'coverage', args: '[protocol...]', what: "line and branch coverage of the kernel model (src/kernel) that each variant's default run reaches (V8 coverage mapped to the TypeScript sources), and the branches no variant's run takes; a `// unreached: why` comment on such a line is printed as its reason",
    options: { variant: { default: 'every variant' }, runs: { default: `the default run's budget (${DEFAULT_BUDGET.runs} within ${DEFAULT_BUDGET.seconds} s)` }, seed: { default: '1' }, json: {} },
  },
  { name: 'diagram', args: '<protocol>', what: "the protocol's statechart as a Mermaid state diagram", options: { ...files } },
  { name: 'merge', args: '<file...>', what: 'merge the run --json --shard outputs of the shards of one check into one verdict', options: { json: {}, reporter: { default: 'text', choices: ['text', 'json', 'junit'] } } },
];

/** The commander Option for one option of one command, its default in the help text. */
export function commanderOption(name: OptionName, use: Use): Option {
  const spec: OptionSpec = OPTIONS[name];
  const dflt = use.default ?? spec.default;
  const extra = [dflt !== undefined ? `default ${dflt}` : '', spec.env ? `${spec.env} overrides` : ''].filter(Boolean).join('; ');
  const o = new Option(spec.flags, `${spec.what}${extra ? ` (${extra})` : ''}`);
  if (spec.parse) o.argParser(spec.parse as (raw: string, prev: unknown) => unknown);
  const choices = use.choices ?? spec.choices;
  if (choices) o.choices(choices);
  return o;
}

/** The README's command and option tables (between the cli-options markers). */
export function optionsMarkdown(): string {
  const commands = ['| command | what it does |', '|---|---|', ...COMMANDS.map((c) => `| \`kcheck ${c.name}${c.args ? ` ${c.args}` : ''}\` | ${c.what} |`)];
  const rows = ['', '| option | commands | default | what it does |', '|---|---|---|---|'];
  for (const [name, spec] of Object.entries(OPTIONS) as [OptionName, OptionSpec][]) {
    const users = COMMANDS.filter((c) => c.options[name]);
    const defaults = users.filter((c) => c.options[name]!.default !== undefined).map((c) => `${c.name}: ${c.options[name]!.default}`);
    const dflt = defaults.length ? defaults.join('; ') : spec.default ?? '';
    const choices = [...new Set(users.flatMap((c) => c.options[name]!.choices ?? []).concat(spec.choices ?? []))];
    const what = `${spec.what}${choices.length ? `: ${choices.map((c) => `\`${c}\``).join(', ')}` : ''}${spec.env ? `; \`${spec.env}\` overrides it (the report says so)` : ''}`;
    rows.push(`| \`${spec.flags}\` | ${users.map((c) => c.name).join(', ')} | ${dflt} | ${what.replace(/\|/g, '\\|')} |`);
  }
  return [...commands, ...rows].join('\n');
}

export const README_MARKERS = ['<!-- cli-options:start (generated by npm run docs:options) -->', '<!-- cli-options:end -->'] as const;

/** The README text with its option table replaced by the generated one. */
export function withOptionsTable(readme: string): string {
  const [start, end] = README_MARKERS;
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README has no ${start} … ${end} section`);
  return `${readme.slice(0, a + start.length)}\n${optionsMarkdown()}\n${readme.slice(b)}`;
}
