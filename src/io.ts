import { hostname, userInfo } from 'node:os';
import { isatty } from 'node:tty';
import { monotonicMs } from './monotonic.js';

/** The parts of the world main() reads, passed in so tests can set them. */
export interface Io {
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
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
    env: process.env,
    stdinIsTTY: isatty(0),
    stdoutIsTTY: isatty(1),
    host: hostname(),
    user: currentUser(),
    uid: process.getuid?.() ?? -1,
    now: Date.now,
    mono: monotonicMs,
  };
}
