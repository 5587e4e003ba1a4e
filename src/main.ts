import { parseArgs } from './cli/parse-args.js';
import { UsageError } from './cli/usage-error.js';
import { processIo, type Io } from './io.js';
import { writeAll } from './output/fd-writer.js';
import { runFilter } from './run/filter.js';
import { runWrapped } from './run/wrap.js';
import type { Settings } from './cli/options.js';
import { runFlush, runTestAlert } from './commands/alerts.js';
import { runConfigCheck, runConfigShow } from './commands/config.js';
import { runHistory } from './commands/history.js';
import { runStatus } from './commands/status.js';
import { jobLogPath, runTail } from './commands/tail.js';
import { defaultLogPath, stateDirectory } from './state/paths.js';

export { processIo };

function stateDir(settings: Settings, io: Io): string {
  return stateDirectory(settings.stateDir, io.env, io.uid);
}

/** A broken config file never stops a job: the problems go to stderr (cron mails them) and the run goes on. */
function reportConfigErrors(errors: readonly string[]): void {
  for (const error of errors) print(2, `cronwrap: config: ${error} (ignored; cronwrap config check says more)\n`);
}

function print(fd: number, text: string): void {
  if (text) writeAll(fd, Buffer.from(text));
}

/** Parses the arguments, does the work and returns cronwrap's exit status; never exits the process. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const invocation = parseArgs(argv, io.env, io.stdinIsTTY);
    // `config check` and `config show` print the problems themselves; every other mode goes on regardless.
    if (invocation.mode !== 'print' && invocation.mode !== 'config-check' && invocation.mode !== 'config-show') {
      reportConfigErrors(invocation.configErrors);
    }
    switch (invocation.mode) {
      case 'print':
        print(1, invocation.stdout);
        print(2, invocation.stderr);
        return invocation.exitCode;
      case 'config-check':
        return runConfigCheck(invocation);
      case 'config-show':
        return runConfigShow(invocation, invocation.job);
      case 'filter':
        return runFilter(invocation.settings, invocation.job, io);
      case 'wrap':
        return await runWrapped(invocation.settings, invocation.job, invocation.command, io, invocation.configErrors);
      case 'status':
        return runStatus(stateDir(invocation.settings, io), invocation.json, io);
      case 'history':
        return runHistory(stateDir(invocation.settings, io), invocation.job, invocation.count, invocation.json);
      case 'test-alert':
        return await runTestAlert(invocation.settings, stateDir(invocation.settings, io), io);
      case 'flush':
        return await runFlush(invocation.settings, stateDir(invocation.settings, io), io);
      case 'tail': {
        const { settings, job } = invocation;
        const dir = stateDir(settings, io);
        return await runTail(jobLogPath(dir, job, defaultLogPath(job, settings.logDir, dir, io.uid)), invocation.lines, invocation.follow);
      }
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    print(2, `cronwrap: ${error.message}\n`);
    return error.exitCode;
  }
}

/** The one place that ends the process: used by bin/cronwrap. */
export function cli(): void {
  main(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
      // Everything is written synchronously by now; this only guards cron against a handle left open.
      setTimeout(() => process.exit(code), 2000).unref();
    },
    (error: unknown) => {
      print(2, `cronwrap: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
      process.exitCode = 125;
    },
  );
}
