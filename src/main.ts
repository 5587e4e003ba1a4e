import { parseArgs } from './cli/parse-args.js';
import { UsageError } from './cli/usage-error.js';
import { processIo, type Io } from './io.js';

export { processIo };
import { writeAll } from './output/fd-writer.js';
import { runFilter } from './run/filter.js';
import { runWrapped } from './run/wrap.js';
import type { Settings } from './cli/options.js';
import { runFlush, runTestAlert } from './commands/alerts.js';
import { runHistory } from './commands/history.js';
import { runStatus } from './commands/status.js';
import { jobLogPath, runTail } from './commands/tail.js';
import { defaultLogPath, stateDirectory } from './state/paths.js';

function stateDir(settings: Settings, io: Io): string {
  return stateDirectory(settings.stateDir, io.env, io.uid);
}

function print(fd: number, text: string): void {
  if (text) writeAll(fd, Buffer.from(text));
}

/** Parses the arguments, does the work and returns cronwrap's exit status; never exits the process. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const invocation = parseArgs(argv, io.env, io.stdinIsTTY);
    switch (invocation.mode) {
      case 'print':
        print(1, invocation.stdout);
        print(2, invocation.stderr);
        return invocation.exitCode;
      case 'filter':
        return runFilter(invocation.settings, io);
      case 'wrap':
        return await runWrapped(invocation.settings, invocation.command, io);
      case 'status':
        return runStatus(stateDir(invocation.settings, io), invocation.json, io);
      case 'history':
        return runHistory(stateDir(invocation.settings, io), invocation.job, invocation.count, invocation.json, io);
      case 'test-alert':
        return await runTestAlert(invocation.settings, stateDir(invocation.settings, io), io);
      case 'flush':
        return await runFlush(invocation.settings, stateDir(invocation.settings, io), io);
      case 'tail': {
        const { settings, job } = invocation;
        const dir = stateDir(settings, io);
        return await runTail(jobLogPath(dir, job, defaultLogPath(job, settings.logDir, dir, io.uid)), invocation.lines, invocation.follow, io);
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
