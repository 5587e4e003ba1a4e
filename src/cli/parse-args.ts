import { Command, CommanderError, Option } from 'commander';
import { ALERT_KEYS, OPTIONS, type Settings } from '../config/options.js';
import type { GivenFlags } from '../config/resolve.js';
import { duration, parseListen, type Listen } from '../config/value-types.js';
import { EXIT_USAGE, UsageError } from '../errors.js';
import { commandJobName } from '../util/command-job-name.js';
import { parseJobName, type JobName } from '../util/job-name.js';
import { SUBCOMMANDS, type Subcommand } from '../config/subcommands.js';
import { versionText } from '../util/build-info.js';
import { INSTALLED_BINARY } from '../util/installed-binary.js';

/** The flags as given, and the job whose config section applies (none: the file's top level only). */
interface Given {
  flags: GivenFlags;
  job: JobName | undefined;
}

/** What the arguments ask for: run a command, annotate stdin, a subcommand, or just print something and exit. */
export type Invocation =
  | (Given & { mode: 'wrap'; job: JobName; command: readonly [string, ...string[]] })
  | (Given & { mode: 'filter' })
  | (Given & { mode: 'status'; json: boolean })
  | (Given & { mode: 'history'; job: JobName; count: number; json: boolean })
  | (Given & { mode: 'tail'; job: JobName; lines: number; follow: boolean })
  | (Given & { mode: 'jobs'; json: boolean; root: string; all: boolean; unwrapped: boolean; user: string | undefined; wrap: boolean; apply: boolean; files: string[] })
  | (Given & { mode: 'check'; json: boolean; root: string; graceMs: number | undefined })
  | (Given & { mode: 'serve'; listen: Listen; root: string; tlsCert: string | undefined; tlsKey: string | undefined })
  | (Given & { mode: 'pause'; job: JobName; forMs: number | undefined; reason: string; silence: boolean } & KnownJobCheck)
  | (Given & { mode: 'resume'; job: JobName } & KnownJobCheck)
  | (Given & { mode: 'test-alert' | 'flush' | 'config-check' | 'config-show' })
  | { mode: 'print'; stdout: string; stderr: string; exitCode: number };


/** `pause` and `resume` refuse a job this host never saw (a typo), unless forced; `root` is where its crontabs are. */
interface KnownJobCheck {
  force: boolean;
  root: string;
}

export const EXAMPLES = `
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

Commands (see cronwrap <command> --help):
  cronwrap status [--json]                  every job seen here: last result, last success, failures
  cronwrap history <job> [-n N] [--json]    a job's last runs, newest first
  cronwrap tail <job> [-n N] [-f]           print (and follow) a job's log
  cronwrap jobs [--unwrapped] [--user U]    the admin's jobs here, wrapped or not, what needs a look (--all: the distro's too)
  cronwrap check [--grace DUR] [--json]     tell the runs that never happened (MISSED); exit 1 while any is
  cronwrap serve [--listen 127.0.0.1:8089]  the live view: every job, its durations, its output as written
  cronwrap pause <job> [--for DUR]          skip the job's runs (or --silence: run, alert no one); resume <job> ends it
  cronwrap test-alert [--name JOB]          send a test alert through every configured channel
  cronwrap flush                            re-send every kept alert now, whatever its backoff
  cronwrap config check [--config FILE]     check a config file (exit 78 when invalid)
  cronwrap config show [--name JOB]         a job's effective settings and where each came from

Examples:
  1 0 * * * ${INSTALLED_BINARY} --name mysql-backup -- /usr/local/bin/backup.sh --full
  cronwrap --name report -c 'make-report | gzip > /srv/report.gz'
  some-long-command 2>&1 | cronwrap --log /var/log/long.log --timestamp elapsed
`;

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
    .addHelpText('after', `${EXAMPLES}\n${environmentOnlyHelp()}`);
  capturing(program, out);
  return { program, attributes: addOptions(program) };
}

const DEFAULT_LISTEN: Listen = { host: '127.0.0.1', port: 8089 };

const wholeNumber = (label: string) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${label}: '${value}' is not a whole number of at least 1`);
  return Number(value);
};

/** `status`, `history JOB`, `tail JOB`, `jobs`, `check`, `serve`, `test-alert`, `flush`, `config check|show`: run no job. */
function parseSubcommand(name: Subcommand, argv: readonly string[]): Invocation {
  const out: Captured = { stdout: '', stderr: '' };
  const [action, ...actionArgv] = argv;
  if (name === 'config' && action !== 'check' && action !== 'show') {
    const help = 'Usage: cronwrap config check [--config FILE]   check a config file (exit 78 when invalid)\n       cronwrap config show [--name JOB]      a job\'s effective settings and where each came from\n';
    if (action === '--help' || action === '-h') return { mode: 'print', stdout: help, stderr: '', exitCode: 0 };
    return { mode: 'print', stdout: '', stderr: `cronwrap: config: say 'config check [--config FILE]' or 'config show [--name JOB]'\n\n${help}`, exitCode: EXIT_USAGE };
  }
  const label = name === 'config' ? `config ${action}` : name;
  const program = capturing(new Command(`cronwrap ${label}`), out).helpOption('-h, --help', 'show this help');
  const keys: (keyof Settings)[] =
    name === 'tail'
      ? ['stateDir', 'logDir', 'config']
      : name === 'test-alert' || name === 'flush'
        ? ['stateDir', 'name', 'config', ...ALERT_KEYS]
        : name === 'config'
          ? ['config', ...(action === 'show' ? (['name'] as const) : [])]
          : name === 'check'
            ? ['stateDir', 'config', 'logDir', ...ALERT_KEYS]
            : name === 'serve'
              ? ['stateDir', 'logDir', 'config']
            : ['stateDir', 'config'];
  if (name === 'config') {
    program.description(
      action === 'check'
        ? 'Check a config file: exit 0 when it is valid, 78 (EX_CONFIG) with every problem named when it is not.'
        : "Print a job's effective settings, where each came from (flag, env, file:line, default), secrets redacted.",
    );
  } else if (name === 'test-alert') {
    program.description('Send a clearly marked test alert through every configured channel; one line per channel; exit 0 only if all succeeded.');
  } else if (name === 'flush') {
    program.description('Re-send the alerts kept because they could not be delivered, through the channels configured now; exit 1 while any remain kept.');
  } else if (name === 'jobs') {
    program
      .description(
        "Every job scheduled on this host (crontabs, /etc/cron.d, users' crontabs, anacron, run-parts dirs, systemd timers): its schedule in words, next run, whether cronwrap wraps it, its last run, and what needs a look. The admin's own jobs only, unless --all: files a package shipped as they are (dpkg's conffiles, timers under /lib) and run-parts/anacron lines are the distro's plumbing. On a terminal the table is cut to its width; piped, or with --json, it is whole. Example: cronwrap jobs --unwrapped --user root",
      )
      .option('--json', 'one JSON object: jobs, problems (lines and files cron rejects or ignores), unreadable (what this user may not read), hidden (plumbing left out)')
      .option('--all', "the distro's plumbing too, with a KIND column (local, package, run-parts)")
      .option('--unwrapped', 'only the jobs cronwrap does not wrap')
      .option('--user <name>', 'only the jobs that run as this user')
      .option('--root <dir>', 'read the cron files under DIR instead of / (a mounted image, a container)', '/')
      .option('--wrap', 'print every unwrapped crontab line rewritten to run under cronwrap (--name from the command, -c), as a diff; writes nothing. run-parts lines stay, and files a package shipped as they are unless named')
      .option('--apply', 'with --wrap: write it, keeping a backup (users\' crontabs through crontab -u USER -)')
      .argument('[files...]', 'with --wrap: only these crontab files, as the SOURCE column names them');
  } else if (name === 'check') {
    program
      .description("Find every job of yours whose scheduled start passed (with its grace) and no run was recorded: the crontab lines that run as you and record in this state directory, and its history. Tell each through the job's own channels (the flags on its crontab line, then these flags, the environment with its crontab's variables, the config file) as MISSED, once per episode (its next good run tells RECOVERED). Other users' lines are theirs: they run cronwrap check themselves. Exits 1 while any job is missed. Run it from cron every few minutes.")
      .option('--json', 'one JSON array: job, schedule, where it comes from, missed (the start that passed) and last run')
      .option('--grace <duration>', 'how late a start may be (default: a tenth of the interval, between 1m and 30m)', (value: string) => duration.parse('--grace', value))
      .option('--root <dir>', 'read the cron files under DIR instead of /', '/');
  } else if (name === 'serve') {
    program
      .description(
        "The live view: a read-only web page and JSON API (/api/jobs, /api/jobs/JOB/runs, /api/jobs/JOB/tail) with every job, a chart of its durations, each run's log and its output as it is written. Listens on 127.0.0.1 unless told otherwise. Every request needs a token, on loopback too (every local user can reach it): the one in the file CRONWRAP_SERVE_TOKEN_FILE names, else its own, made on first start in STATE_DIR/serve-token (0600, replaced if others could read it). Open /?token=TOKEN once in a browser (it sets a cookie; from another machine: ssh -L 8089:127.0.0.1:8089 HOST), or send 'Authorization: Bearer TOKEN'. On a terminal it prints that address with the token; elsewhere only the file. Runs until SIGTERM.",
      )
      .addOption(
        new Option('--listen <host:port>', 'where to listen (a bare port means 127.0.0.1; port 0 picks a free one)')
          .argParser((value: string) => parseListen('--listen', value))
          .default(DEFAULT_LISTEN, '127.0.0.1:8089'),
      )
      .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM; with --tls-key)')
      .option('--tls-key <file>', "the certificate's private key (PEM; owned by root or this user, readable by no one else)")
      .option('--root <dir>', 'read the cron files under DIR instead of /', '/');
  } else if (name === 'pause') {
    program
      .description("Pause a job for maintenance: its runs are skipped (exit 0, logged, history 'paused') until the pause expires or cronwrap resume; cronwrap check does not call them missed.")
      .argument('<job>', 'job name')
      .option('--for <duration>', 'end the pause by itself after DURATION (default: until cronwrap resume)', (value: string) => duration.parse('--for', value))
      .option('--reason <text>', 'why, shown in the log, status and the live view')
      .option('--silence', 'let the runs go on, but alert and ping no one')
      .option('--force', 'pause a job this host has not seen yet (no run, no state, no crontab line, no [jobs.NAME] section): without it, such a name is refused as a typo')
      .option('--root <dir>', 'read the cron files under DIR instead of / to know the jobs', '/');
  } else if (name === 'resume') {
    program
      .description('End a pause (cronwrap pause): the next run goes on as usual.')
      .argument('<job>', 'job name')
      .option('--force', 'resume a job this host has not seen (without it, such a name is refused as a typo)')
      .option('--root <dir>', 'read the cron files under DIR instead of / to know the jobs', '/');
  } else if (name === 'status') {
    program.description('One row per job seen on this host, failing jobs first; exits 1 if any job\'s last run failed.').option('--json', 'one JSON array of job objects');
  } else if (name === 'history') {
    program
      .description('The last runs of a job, newest first.')
      .argument('<job>', 'job name')
      .option('-n, --count <n>', 'how many runs', wholeNumber('--count'), 20)
      .option('--json', 'one JSON array of run records');
  } else {
    program
      .description("Print the end of a job's log; with -f, keep printing what is appended (across logrotate).")
      .argument('<job>', 'job name')
      .option('-n, --lines <n>', 'how many lines', wholeNumber('--lines'), 20)
      .option('-f, --follow', 'keep printing new lines until interrupted');
  }
  const attributes = addOptions(program, keys);
  const printed = parseWith(program, name === 'config' ? actionArgv : argv, out);
  if (printed) return printed;
  const given = program.opts<{ for?: number; reason?: string; silence?: boolean; force?: boolean; json?: boolean; count?: number; lines?: number; follow?: boolean; root?: string; grace?: number; wrap?: boolean; apply?: boolean; all?: boolean; unwrapped?: boolean; user?: string; listen?: Listen; tlsCert?: string; tlsKey?: string }>();
  const flags = givenFlags(program, attributes);
  if (name === 'jobs') {
    if (given.apply && !given.wrap) throw new UsageError('jobs: --apply writes what --wrap shows; give --wrap --apply');
    const files = program.args;
    if (files.length > 0 && !given.wrap) throw new UsageError(`jobs: files (${files.join(' ')}) are for --wrap`);
    const listing = (['all', 'unwrapped', 'user'] as const).find((option) => given[option] !== undefined);
    if (given.wrap && listing) throw new UsageError(`jobs: --${listing} chooses what the list shows; --wrap takes files instead (as the SOURCE column names them)`);
    const [all, unwrapped] = [given.all === true, given.unwrapped === true];
    return { flags, job: undefined, mode: 'jobs', json: given.json === true, root: given.root ?? '/', all, unwrapped, user: given.user, wrap: given.wrap === true, apply: given.apply === true, files };
  }
  const jobArgument = program.args[0] === undefined ? undefined : parseJobName('<job>', program.args[0]);
  const job = jobArgument ?? nameFlag(flags);
  if (name === 'config') return { flags, job, mode: action === 'check' ? 'config-check' : 'config-show' };
  if (name === 'serve') return { flags, job, mode: 'serve', listen: given.listen ?? DEFAULT_LISTEN, root: given.root ?? '/', tlsCert: given.tlsCert, tlsKey: given.tlsKey };
  if (name === 'check') return { flags, job, mode: 'check', json: given.json === true, root: given.root ?? '/', graceMs: given.grace };
  if (name === 'test-alert' || name === 'flush' || name === 'status') {
    return name === 'status' ? { flags, job, mode: 'status', json: given.json === true } : { flags, job, mode: name };
  }
  if (jobArgument === undefined) throw new UsageError(`${name}: give a job name`); // commander requires it; this tells TypeScript
  const check = { force: given.force === true, root: given.root ?? '/' };
  if (name === 'pause') return { flags, job: jobArgument, mode: 'pause', forMs: given.for, reason: given.reason ?? '', silence: given.silence === true, ...check };
  if (name === 'resume') return { flags, job: jobArgument, mode: 'resume', ...check };
  if (name === 'history') return { flags, job: jobArgument, mode: 'history', count: given.count ?? 20, json: given.json === true };
  return { flags, job: jobArgument, mode: 'tail', lines: given.lines ?? 20, follow: given.follow === true };
}

/** `--name`, checked like every job name. */
function nameFlag(flags: GivenFlags): JobName | undefined {
  return typeof flags.name === 'string' ? parseJobName('--name', flags.name) : undefined;
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
  const subcommand = SUBCOMMANDS.find((name) => name === first);
  if (subcommand) return parseSubcommand(subcommand, rest);
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
const FILTER_KEYS: readonly (keyof Settings)[] = ['config', 'name', 'log', 'timestamp', 'json', 'quiet'];
