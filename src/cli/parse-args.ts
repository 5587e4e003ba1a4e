import { Command, CommanderError, Option } from 'commander';
import { OPTIONS, type Settings } from './options.js';
import { EXIT_USAGE, UsageError } from './usage-error.js';

declare const CRONWRAP_VERSION: string;

/** What the arguments ask for: run a command, annotate stdin, or just print something and exit. */
export type Invocation =
  | { mode: 'wrap'; settings: Settings; command: readonly [string, ...string[]] }
  | { mode: 'filter'; settings: Settings }
  | { mode: 'print'; stdout: string; stderr: string; exitCode: number };

const EXAMPLES = `
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
is not given.

Examples:
  1 0 * * * cronwrap --name mysql-backup -- /usr/local/bin/backup.sh --full
  cronwrap --name report -c 'make-report | gzip > /srv/report.gz'
  some-long-command 2>&1 | cronwrap --log /var/log/long.log --timestamp elapsed
`;

function buildProgram(out: { stdout: string; stderr: string }): { program: Command; attributes: Map<string, string> } {
  const program = new Command('cronwrap')
    .usage('[options] -- <command> [args...]')
    .description('Run a command (or annotate stdin): timestamp every line, append it to a log, keep the exit status.')
    .version(CRONWRAP_VERSION, '-V, --version')
    .helpOption('-h, --help', 'show this help')
    .argument('[command...]', 'the command to run and its arguments')
    .passThroughOptions()
    .exitOverride()
    .configureOutput({ writeOut: (s) => void (out.stdout += s), writeErr: (s) => void (out.stderr += s) })
    .addHelpText('after', EXAMPLES);
  const attributes = new Map<string, string>();
  for (const spec of OPTIONS) {
    const option = new Option(spec.flags, spec.env ? `${spec.help} [env ${spec.env}]` : spec.help);
    attributes.set(spec.key, option.attributeName());
    program.addOption(option);
  }
  return { program, attributes };
}

function longFlag(flags: string): string {
  return /--[\w-]+/.exec(flags)?.[0] ?? flags;
}

/** Resolves each option: the flag if given, else its environment twin, else the built-in default. */
function resolveSettings(program: Command, attributes: Map<string, string>, env: NodeJS.ProcessEnv): Settings {
  const given = program.opts<Record<string, string | boolean | undefined>>();
  const settings: Record<string, unknown> = {};
  for (const spec of OPTIONS) {
    const raw = given[attributes.get(spec.key)!];
    const fromEnv = spec.env ? env[spec.env] : undefined;
    if (raw === true) settings[spec.key] = true;
    else if (typeof raw === 'string') settings[spec.key] = spec.parse(longFlag(spec.flags), raw);
    else if (fromEnv !== undefined) settings[spec.key] = spec.parse(spec.env!, fromEnv);
    else settings[spec.key] = spec.defaultValue;
  }
  return settings as unknown as Settings;
}

/** Turns argv (without node and script) into what to do. Pure but for reading `env` and `stdinIsTTY`. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv, stdinIsTTY: boolean): Invocation {
  const out = { stdout: '', stderr: '' };
  const { program, attributes } = buildProgram(out);
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return { mode: 'print', stdout: out.stdout, stderr: out.stderr, exitCode: 0 };
    const message = out.stderr.trimEnd().replace(/^error: /, '');
    return { mode: 'print', stdout: '', stderr: `cronwrap: ${message} (see cronwrap --help)\n`, exitCode: EXIT_USAGE };
  }
  const settings = resolveSettings(program, attributes, env);
  const operands = program.args;
  if (settings.shell !== undefined) {
    if (operands.length > 0) {
      throw new UsageError(`--shell: give either a shell string with -c or a command after --, not both (got -c and '${operands[0]}')`);
    }
    return { mode: 'wrap', settings, command: ['/bin/sh', '-c', settings.shell] };
  }
  const [file, ...args] = operands;
  if (file !== undefined) return { mode: 'wrap', settings, command: [file, ...args] };
  if (stdinIsTTY) {
    return { mode: 'print', stdout: '', stderr: `cronwrap: nothing to run: give a command after --, or pipe output into cronwrap\n\n${program.helpInformation()}`, exitCode: EXIT_USAGE };
  }
  return { mode: 'filter', settings };
}
