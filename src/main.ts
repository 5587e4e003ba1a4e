import { statSync } from 'node:fs';
import { refuseMistypedSubcommand } from './cli/mistyped-subcommand.js';
import { parseArgs, type Invocation } from './cli/parse-args.js';
import { runFlags } from './cli/run-flags.js';
import { SUBCOMMAND_NAMES } from './commands/index.js';
import { runFilter } from './commands/filter.js';
import type { Viewer } from './jobs/own-lines.js';
import { runWrapped } from './commands/wrap.js';
import { resolveSettings, type Resolved } from './config/resolve.js';
import { UsageError } from './errors.js';
import { processIo, type Io } from './io.js';
import { print, printLine, warn } from './output/console.js';
import { stateDirectory } from './state/paths.js';
import { timeZoneProblem } from './util/time-zone.js';
import { releaseHungUpTerminal } from './util/hung-up-terminal.js';
import { holdSignals } from './util/signals.js';
import { checkPrivateDirectory, UnsafePathError } from './util/trust.js';

export { processIo };

type Command = Exclude<Invocation, { mode: 'print' }>;

/** Why the state directory may not be read, in a sentence for stderr; undefined when it may. */
function unsafeStateDir(stateDir: string): string | undefined {
  try {
    checkPrivateDirectory(stateDir);
    return undefined;
  } catch (error) {
    if (error instanceof UnsafePathError) return `cronwrap: not reading ${stateDir}: ${error.message}\n`;
    return undefined; // missing or unreadable: each command says so in its own words
  }
}

/** Runs what the arguments asked for with its resolved settings. */
async function dispatch(invocation: Command, resolved: Resolved, io: Io): Promise<number> {
  const { settings, configErrors } = resolved;
  if (invocation.mode === 'filter') return runFilter(settings, invocation.job ?? 'stdin', io);
  if (invocation.mode === 'wrap') return await runWrapped(settings, invocation.job, invocation.command, io, configErrors);
  const stateDir = stateDirectory(settings.stateDir, io.env, io.uid);
  // What the state directory holds is not shown from a directory others control.
  const unsafe = invocation.subcommand.readsState ? unsafeStateDir(stateDir) : undefined;
  if (unsafe) {
    print(io.stderr, unsafe);
    return 1;
  }
  // Whose crontab lines are this user's jobs (jobs/own-lines.ts): check, status, jobs and serve judge only those.
  const viewer: Viewer = { user: io.user, uid: io.uid, env: io.env, flagsOf: runFlags, subcommands: SUBCOMMAND_NAMES };
  // A mistyped --root would read no crontab at all: every job would look fine for ever.
  if ('root' in invocation) requireCronRoot(invocation.root);
  return await invocation.run({ resolved, settings, stateDir, viewer, io });
}

/** `--root DIR` must be a directory (the cron files of a mounted image, a container, a test tree). */
function requireCronRoot(root: string): void {
  let directory: boolean;
  try {
    directory = statSync(root).isDirectory();
  } catch {
    directory = false; // missing, or not ours to look into: no crontab could be read there either
  }
  if (!directory) throw new UsageError(`--root ${root}: no such directory: give the directory the cron files are under (/ for this host)`);
}

/** Parses the arguments, resolves the settings (flags, environment, config file), does the work and returns cronwrap's exit status; never exits the process. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const invocation = parseArgs(argv, io.stdinIsTTY);
    if (invocation.mode === 'print') {
      print(io.stdout, invocation.stdout);
      print(io.stderr, invocation.stderr);
      return invocation.exitCode;
    }
    if (invocation.mode === 'wrap') refuseMistypedSubcommand(argv, io.env);
    const resolved = resolveSettings(invocation.flags, io.env, invocation.job);
    // A broken config file never stops a job: the problems go to stderr (cron mails them) and the run goes on.
    // `config check` and `config show` print them themselves.
    if (!('subcommand' in invocation && invocation.subcommand.ownsConfigProblems)) {
      for (const error of resolved.configErrors) print(io.stderr, `cronwrap: config: ${error} (ignored; cronwrap config check says more)\n`);
    }
    // Timestamps are what wrap and filter mode are for: a zone they cannot honour is said, not hidden.
    const zone = invocation.mode === 'wrap' || invocation.mode === 'filter' ? timeZoneProblem(io.env.TZ) : undefined;
    if (zone) print(io.stderr, `cronwrap: ${zone}\n`);
    return await dispatch(invocation, resolved, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    warn(io.stderr, error.message);
    return error.exitCode;
  }
}

/** The one place that ends the process: used by bin/cronwrap. */
export function cli(): void {
  // First: a SIGUSR1 from here on neither opens the inspector nor ends cronwrap (util/signals.ts).
  holdSignals();
  const io = processIo();
  // cronwrap's own TLS clients (alerts, pings, pushes, Redis) always check certificates: a
  // NODE_TLS_REJECT_UNAUTHORIZED=0 inherited from the crontab stays the job's (io.env is a copy), not theirs.
  delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  main(process.argv.slice(2), io).then(
    (code) => {
      releaseHungUpTerminal();
      process.exitCode = code;
      // Everything is written synchronously by now; this only guards cron against a handle left open.
      setTimeout(() => process.exit(code), 2000).unref();
    },
    (error: unknown) => {
      // The message may quote a crontab: every line of it escaped, as any text from outside.
      const [first, ...stack] = (error instanceof Error ? (error.stack ?? error.message) : String(error)).split('\n');
      warn(io.stderr, `internal error: ${first}`);
      for (const line of stack) printLine(io.stderr, line);
      releaseHungUpTerminal();
      process.exitCode = 125;
    },
  );
}
