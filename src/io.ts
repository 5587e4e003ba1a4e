import { hostname, userInfo } from 'node:os';
import { isatty } from 'node:tty';
import { fdWriter, type Writer } from './util/fd.js';
import { monotonicMs } from './util/monotonic.js';

/** The parts of the world main() reads and writes, passed in so tests can set them and run main in-process. */
export interface Io {
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  /** The terminal's width in columns, asked only by what lays out a table; undefined when stdout is no terminal. */
  stdoutColumns?: () => number | undefined;
  stdout: Writer;
  stderr: Writer;
  host: string;
  user: string;
  uid: number;
  /** Wall-clock milliseconds, for timestamps. */
  now: () => number;
  /** Monotonic milliseconds, for durations and elapsed stamps. */
  mono: () => number;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}

/** $COLUMNS when it is a width (as ls honours it), else what the terminal on stdout says; undefined for a pipe or a file. */
function terminalColumns(env: NodeJS.ProcessEnv): number | undefined {
  if (!isatty(1)) return undefined;
  const given = Number(env.COLUMNS);
  if (Number.isInteger(given) && given > 0) return given;
  return process.stdout.columns || undefined;
}

export function processIo(): Io {
  // A copy: the job gets the environment as it was given, whatever cronwrap then changes in its own.
  const env = { ...process.env };
  return {
    env,
    stdinIsTTY: isatty(0),
    stdoutIsTTY: isatty(1),
    stdoutColumns: () => terminalColumns(env),
    stdout: fdWriter(1),
    stderr: fdWriter(2),
    host: hostname(),
    user: currentUser(),
    uid: process.getuid?.() ?? -1,
    now: Date.now,
    mono: monotonicMs,
  };
}
