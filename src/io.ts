import { hostname, userInfo } from 'node:os';
import { isatty } from 'node:tty';
import { fdWriter, type Writer } from './util/fd.js';
import { monotonicMs } from './util/monotonic.js';

/** The parts of the world main() reads and writes, passed in so tests can set them and run main in-process. */
export interface Io {
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
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

export function processIo(): Io {
  return {
    // A copy: the job gets the environment as it was given, whatever cronwrap then changes in its own.
    env: { ...process.env },
    stdinIsTTY: isatty(0),
    stdoutIsTTY: isatty(1),
    stdout: fdWriter(1),
    stderr: fdWriter(2),
    host: hostname(),
    user: currentUser(),
    uid: process.getuid?.() ?? -1,
    now: Date.now,
    mono: monotonicMs,
  };
}
