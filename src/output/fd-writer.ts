import { writeSync } from 'node:fs';

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
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
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

/** The error code of a failed system call, for messages (`EACCES`), or the message itself. */
export function errorCode(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ?? e?.message ?? String(error);
}
