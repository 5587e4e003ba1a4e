import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { errorCode } from '../errors.js';

/**
 * Opens a log for reading: never through a symlink (cronwrap never writes through one), never blocking
 * on a FIFO, and only a regular file (a device could be read for ever).
 */
export function openLogForReading(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  if (fstatSync(fd).isFile()) return fd;
  closeSync(fd);
  throw new Error('not a regular file');
}

/** Where the last `lines` lines of the file start (reading backwards from its end). */
export function startOfLastLines(fd: number, size: number, lines: number): number {
  if (lines === 0) return size;
  const buffer = Buffer.allocUnsafe(64 * 1024);
  let seen = 0;
  let end = size;
  // A final newline ends the last line rather than starting an empty one.
  let skipFinalNewline = true;
  while (end > 0) {
    const start = Math.max(0, end - buffer.length);
    readSync(fd, buffer, 0, end - start, start);
    for (let i = end - start - 1; i >= 0; i--) {
      if (buffer[i] !== 0x0a) continue;
      if (skipFinalNewline && start + i === size - 1) continue;
      if (++seen === lines) return start + i + 1;
    }
    skipFinalNewline = false;
    end = start;
  }
  return 0;
}

/** Where new bytes go (a chunk is lent for the call only); `skipped` hears of bytes passed over to keep up. */
export interface FollowSink {
  data(chunk: Buffer): void;
  skipped?(bytes: number): void;
}

/**
 * Follows a log by its path, like `tail -F`: what is appended, then the rest of a rotated file and the
 * new file from its start, and a truncated file (copytruncate) from its start. Reads only when polled.
 */
export class LogFollower {
  private fd: number | undefined;
  private position = 0;
  private readonly buffer = Buffer.allocUnsafe(64 * 1024);

  constructor(readonly path: string) {}

  /** Opens the log at the start of its last `lines` lines; false while it does not exist (other errors throw). */
  open(lines: number): boolean {
    if (!this.tryOpen()) return false;
    this.position = startOfLastLines(this.fd!, fstatSync(this.fd!).size, lines);
    return true;
  }

  /**
   * Passes what was written since the last poll to `sink`. With `keep`, at most the last `keep` bytes of
   * each file's new part are passed and the rest is skipped, so a job that writes faster than the reader
   * reads never puts it behind by more than that.
   */
  poll(sink: FollowSink, keep = Infinity): void {
    if (this.fd === undefined) {
      if (!this.tryOpen()) return; // not created yet, or rotated away and not re-created yet
      this.position = 0;
    }
    const open = fstatSync(this.fd!);
    if (open.size < this.position) this.position = 0;
    this.copy(open.size, sink, keep);
    let current: number | undefined;
    try {
      current = statSync(this.path).ino;
    } catch {
      current = undefined;
    }
    if (current === open.ino) return;
    // Rotated: the old file is read to its end (above); the new one, if there is one yet, from its start.
    this.close();
    if (current !== undefined && this.tryOpen()) this.copy(fstatSync(this.fd!).size, sink, keep);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.position = 0;
  }

  private tryOpen(): boolean {
    try {
      this.fd = openLogForReading(this.path);
      this.position = 0;
      return true;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw error;
    }
  }

  private copy(end: number, sink: FollowSink, keep: number): void {
    if (end - this.position > keep) {
      sink.skipped?.(end - keep - this.position);
      this.position = end - keep;
    }
    while (this.position < end) {
      const bytes = readSync(this.fd!, this.buffer, 0, Math.min(this.buffer.length, end - this.position), this.position);
      if (bytes === 0) return;
      sink.data(this.buffer.subarray(0, bytes));
      this.position += bytes;
    }
  }
}
