import { writeSync } from 'node:fs';
import { errorCode } from '../errors.js';

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs a synchronous read or write, waiting a millisecond and trying again while it answers EAGAIN:
 * stdin and stdout may be inherited in non-blocking mode, and spinning or dropping bytes is worse.
 */
export function retryWhileBusy<T>(operation: () => T): T {
  for (;;) {
    try {
      return operation();
    } catch (error) {
      if (errorCode(error) !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

/**
 * Writes all of `data` to `fd` synchronously. Sync writes keep records whole and in order and push back
 * on a slow reader by simply taking longer. Errors other than EAGAIN (EPIPE, ENOSPC) are thrown.
 */
export function writeAll(fd: number, data: Uint8Array): void {
  for (let offset = 0; offset < data.length; ) {
    offset += retryWhileBusy(() => writeSync(fd, data, offset, data.length - offset));
  }
}

/** Where cronwrap's stdout and stderr go: a descriptor for the real process, a buffer in tests. */
export interface Writer {
  /** Writes all of `data` or throws (EPIPE, ENOSPC). */
  write(data: Uint8Array): void;
}

/** A Writer on a file descriptor. */
export function fdWriter(fd: number): Writer {
  return { write: (data) => writeAll(fd, data) };
}
