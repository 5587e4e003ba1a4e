import { hostname } from 'node:os';
import type { Io } from '../../src/io.js';
import { monotonicMs } from '../../src/util/monotonic.js';

export interface MemoryIo extends Io {
  out(): string;
  err(): string;
}

/** An Io whose stdout and stderr are kept in memory, so main() and its parts run in-process. */
export function memoryIo(env: NodeJS.ProcessEnv, overrides: Partial<Io> = {}): MemoryIo {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  return {
    env,
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stdout: { write: (data) => void out.push(Buffer.from(data)) },
    stderr: { write: (data) => void err.push(Buffer.from(data)) },
    host: hostname(),
    user: 'tester',
    uid: process.getuid?.() ?? -1,
    now: Date.now,
    mono: monotonicMs,
    ...overrides,
    out: () => Buffer.concat(out).toString('utf8'),
    err: () => Buffer.concat(err).toString('utf8'),
  };
}
