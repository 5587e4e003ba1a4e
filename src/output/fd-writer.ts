import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `data` to `fd` synchronously. Sync writes keep records whole and in order and push back
 * on a slow reader by simply taking longer; a descriptor inherited in non-blocking mode answers EAGAIN,
 * so wait a millisecond and try again rather than drop bytes. Other errors (EPIPE, ENOSPC) are thrown.
 */
export function writeAll(fd: number, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(fd, data, offset, data.length - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

/** The error code of a failed system call, for messages (`EACCES`), or the message itself. */
export function errorCode(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e?.code ?? e?.message ?? String(error);
}
