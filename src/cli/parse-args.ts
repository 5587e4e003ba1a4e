import { Command, CommanderError, Option } from 'commander';
import { OPTIONS, type Settings } from '../config/options.js';
import type { GivenFlags } from '../config/resolve.js';
import { EXIT_USAGE, UsageError } from '../errors.js';
import { commandJobName } from '../util/command-job-name.js';
import type { JobName } from '../util/job-name.js';
import { runnableSubcommands, SUBCOMMANDS, type RunnableSubcommand, type SubcommandGroupEntry } from '../commands/index.js';
import { nameFlag, type Given } from '../commands/subcommand.js';
import { versionText } from '../util/build-info.js';
import { INSTALLED_BINARY } from '../util/installed-binary.js';

/** What the arguments ask for: run a command, annotate stdin, a subcommand (commands/index.ts), or just print something and exit. */
export type Invocation =
  | (Given & { mode: 'wrap'; job: JobName; command: readonly [string, ...string[]] })
  | (Given & { mode: 'filter' })
  | SubcommandInvocation
  | { mode: 'print'; stdout: string; stderr: string; exitCode: number };

/** A subcommand's invocation: each descriptor's own (commands/subcommand.ts). */
export type SubcommandInvocation = ReturnType<RunnableSubcommand['invocation']>;

const BEFORE_COMMANDS = `
Modes:
  wrap     cronwrap [options] -- <command> [args...]   runs the command without a shell, stdin passed on
  filter   <command> 2>&1 | cronwrap [options]          annotates stdin to stdout (and --log), like ts(1)

Records look like '<timestamp> out| text' and '<timestamp> err| text'. After out/err, '|' means the line
ended with a newline, '+' that a line over 64 KiB continues in the next record, '!' that the stream ended
without a newline (the text is followed by ' [no newline]'). Each run adds a '=== start' and '=== end' record.

Exit status: the command's; 128+N if it was killed by signal N (or cronwrap got signal N and stopped it);
127 command not found; 126 not executable; 125 cronwrap's own usage or start-up error.

Under cron (stdout not a terminal) cronwrap prints nothing when the job succeeds and a short report when it
fails, so cron's MAILTO mail carries it. Options with an environment twin (CRONWRAP_*) read it when the flag
is not given, then the config file, where every option is a key in snake_case (--alert-after: alert_after)
under the top level or a [jobs.<name>] section; cronwrap config show lists them all. A bad flag is refused
(exit 125); a bad variable or config entry is said on stderr and skipped, and the job runs.

`;

const AFTER_COMMANDS = `
Examples:
  1 0 * * * ${INSTALLED_BINARY} --name mysql-backup -- /usr/local/bin/backup.sh --full
  cronwrap --name report -c 'make-report | gzip > /srv/report.gz'
  some-long-command 2>&1 | cronwrap --log /var/log/long.log --timestamp elapsed
`;

/** What the top-level --help says after the options (and the man page's description): the modes, the records, the commands (each one's summary), examples. */
export function topLevelHelpText(): string {
  const commands = runnableSubcommands().flatMap(({ summary }) => (summary ? [`  ${`cronwrap ${summary.synopsis}`.padEnd(42)}${summary.text}\n`] : []));
  return `${BEFORE_COMMANDS}Commands (see cronwrap <command> --help):\n${commands.join('')}${AFTER_COMMANDS}`;
}

type Captured = { stdout: string; stderr: string };

/** Settings that have no flag (secrets and server addresses), listed from the option table. */
function environmentOnlyHelp(): string {
  const rows = OPTIONS.filter((spec) => !spec.flags && spec.env).map((spec) => `  ${spec.env!.padEnd(38)} ${spec.help}`);
  return `Environment only (secrets are never accepted as flags):\n${rows.join('\n')}\n`;
}

/** Commander reports help, version and errors by throwing (exitOverride) after writing into `out`. */
function capturing(program: Command, out: Captured): Command {
  return program.exitOverride().configureOutput({ writeOut: (s) => void (out.stdout += s), writeErr: (s) => void (out.stderr += s) });
}

/** Adds the table's rows for `keys` (or all) to `program`; returns each row's commander attribute name. */
function addOptions(program: Command, keys?: readonly (keyof Settings)[]): Map<keyof Settings, string> {
  const attributes = new Map<keyof Settings, string>();
  for (const spec of OPTIONS) {
    if (!spec.flags || (keys && !keys.includes(spec.key))) continue;
    const option = new Option(spec.flags, spec.env ? `${spec.help} [env ${spec.env}]` : spec.help);
    if (spec.repeatable) option.argParser((value: string, previous: string | undefined) => (previous ? `${previous} ${value}` : value));
    attributes.set(spec.key, option.attributeName());
    program.addOption(option);
  }
  return attributes;
}

/** Runs commander; help, version and its errors become a `print` invocation. */
function parseWith(program: Command, argv: readonly string[], out: Captured): Invocation | undefined {
  try {
    program.parse([...argv], { from: 'user' });
    return undefined;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return { mode: 'print', stdout: out.stdout, stderr: out.stderr, exitCode: 0 };
    const message = out.stderr.trimEnd().replace(/^error: /, '');
    return { mode: 'print', stdout: '', stderr: `cronwrap: ${message} (see ${program.name()} --help)\n`, exitCode: EXIT_USAGE };
  }
}

function buildProgram(out: Captured): { program: Command; attributes: Map<keyof Settings, string> } {
  const program = new Command('cronwrap')
    .usage('[options] -- <command> [args...]')
    .description('Run a command (or annotate stdin): timestamp every line, append it to a log, keep the exit status.')
    .version(versionText(), '-V, --version', 'show the version and how this cronwrap was built')
    .helpOption('-h, --help', 'show this help')
    .argument('[command...]', 'the command to run and its arguments')
    .passThroughOptions()
    .addHelpText('after', () => `${topLevelHelpText()}\n${environmentOnlyHelp()}`);
  capturing(program, out);
  return { program, attributes: addOptions(program) };
}

/** A subcommand's or an action's commander program, from its descriptor: its own options, then the table's rows it takes. */
function subcommandProgram(descriptor: RunnableSubcommand, out: Captured): { program: Command; attributes: Map<keyof Settings, string> } {
  const program = capturing(new Command(`cronwrap ${descriptor.name}`), out).helpOption('-h, --help', 'show this help').description(descriptor.description);
  descriptor.options?.(program);
  return { program, attributes: addOptions(program, descriptor.settings) };
}

/** The long flags a subcommand or an action takes (its completion): `--help`, its own, the table's rows it takes. */
export function subcommandFlags(descriptor: RunnableSubcommand): string[] {
  const { program } = subcommandProgram(descriptor, { stdout: '', stderr: '' });
  return ['--help', ...program.options.flatMap((option) => (option.long ? [option.long] : []))];
}

/** A subcommand or an action: its commander program, built now that it is asked for, from its descriptor. */
function parseSubcommand(descriptor: RunnableSubcommand, argv: readonly string[]): Invocation {
  const out: Captured = { stdout: '', stderr: '' };
  const { program, attributes } = subcommandProgram(descriptor, out);
  const printed = parseWith(program, argv, out);
  if (printed) return printed;
  return descriptor.invocation(program, givenFlags(program, attributes));
}

/** `config check|show`: the word after the group chooses its action; without one, its actions' usage. */
function parseAction(group: SubcommandGroupEntry, argv: readonly string[]): Invocation {
  const [word, ...actionArgv] = argv;
  const action = group.actions.find((candidate) => candidate.name === `${group.name} ${word}`);
  if (action) return parseSubcommand(action, actionArgv);
  const usage = group.actions.map((candidate) => `cronwrap ${candidate.summary?.synopsis ?? candidate.name}`);
  const width = Math.max(...usage.map((line) => line.length)) + 3;
  const help = group.actions.map((candidate, i) => `${i === 0 ? 'Usage: ' : '       '}${usage[i]!.padEnd(width)}${candidate.summary?.text ?? ''}\n`).join('');
  if (word === '--help' || word === '-h') return { mode: 'print', stdout: help, stderr: '', exitCode: 0 };
  const say = group.actions.map((candidate) => `'${candidate.summary?.synopsis ?? candidate.name}'`).join(' or ');
  return { mode: 'print', stdout: '', stderr: `cronwrap: ${group.name}: say ${say}\n\n${help}`, exitCode: EXIT_USAGE };
}

/** Commander's values for the table's rows, by settings key. */
function givenFlags(program: Command, attributes: Map<keyof Settings, string>): GivenFlags {
  const values = program.opts<Record<string, string | boolean | undefined>>();
  const given: GivenFlags = {};
  for (const [key, attribute] of attributes) {
    const value = values[attribute];
    // A `--no-…` flag has a default of true: only what the command line said counts as given.
    if (program.getOptionValueSource(attribute) !== 'cli') continue;
    if (typeof value === 'boolean' || typeof value === 'string') given[key] = value;
  }
  return given;
}

/** Turns argv (without node and script) into what to do. Pure: reads no file and no environment. */
export function parseArgs(argv: readonly string[], stdinIsTTY: boolean): Invocation {
  const [first, ...rest] = argv;
  const entry = SUBCOMMANDS.find((candidate) => candidate.name === first);
  if (entry) return 'actions' in entry ? parseAction(entry, rest) : parseSubcommand(entry, rest);
  const out: Captured = { stdout: '', stderr: '' };
  const { program, attributes } = buildProgram(out);
  const printed = parseWith(program, argv, out);
  if (printed) return printed;
  const flags = givenFlags(program, attributes);
  if (flags.tee && flags.quiet) throw new UsageError('--tee and --quiet ask for opposite things; give one');
  if (flags.stderrFails && flags.pty) throw new UsageError('--stderr-fails cannot see stderr under --pty, which merges it into stdout; give one');
  const name = nameFlag(flags);
  const [file, ...args] = program.args;
  if (typeof flags.shell === 'string') {
    if (file !== undefined) {
      throw new UsageError(`--shell: give either a shell string with -c or a command after --, not both (got -c and '${file}')`);
    }
    // The job name: --name, else the program that does the work (util/command-job-name.ts).
    return { flags, mode: 'wrap', job: name ?? commandJobName({ shell: flags.shell }), command: ['/bin/sh', '-c', flags.shell] };
  }
  if (file !== undefined) return { flags, mode: 'wrap', job: name ?? commandJobName({ argv: [file, ...args] }), command: [file, ...args] };
  // Under cron stdin is not a terminal: without this, `cronwrap --name x --` would quietly annotate nothing.
  if (argv.includes('--')) {
    return { mode: 'print', stdout: '', stderr: 'cronwrap: nothing to run after --: give the command after it, e.g. cronwrap --name backup -- /usr/local/bin/backup.sh\n', exitCode: EXIT_USAGE };
  }
  if (stdinIsTTY) {
    return { mode: 'print', stdout: '', stderr: `cronwrap: nothing to run: give a command after --, or pipe output into cronwrap\n\n${program.helpInformation()}`, exitCode: EXIT_USAGE };
  }
  const misplaced = OPTIONS.find((spec) => flags[spec.key] !== undefined && !FILTER_KEYS.includes(spec.key));
  if (misplaced) {
    throw new UsageError(`${/--[\w-]+/.exec(misplaced.flags ?? '')?.[0]} does not apply to filter mode (no command runs under cronwrap); give the command after --, or leave the option out`);
  }
  return { flags, job: name, mode: 'filter' };
}

/** The flags filter mode honours: it annotates stdin; nothing runs, is locked, timed or alerted on. */
const FILTER_KEYS: readonly (keyof Settings)[] = ['config', 'name', 'log', 'timestamp', 'json', 'quiet', 'syslog', 'syslogTo', 'syslogFacility', 'syslogTag', 'syslogSocket'];
