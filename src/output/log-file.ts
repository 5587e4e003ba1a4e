import { closeSync, constants, fstatSync, ftruncateSync, lstatSync, openSync, readSync, writeSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { errorCode } from '../errors.js';
import type { Writer } from '../util/fd.js';
import { makeDirs } from '../util/make-dirs.js';
import { ownerProblem, UnsafePathError } from '../util/trust.js';
import { monotonicMs } from '../util/monotonic.js';
import { ConsoleOutput, warn } from './console.js';

/** Log directories are created 0750 and log files 0640 (contract, "Safe by default"). */
const DIR_MODE = 0o750;
const FILE_MODE = 0o640;

/** What became of the records meant for the log. */
export interface LogResult {
  path: string;
  /** Why the log could not be written, if it could not. */
  failure?: string;
  /** Bytes that went to the fallback instead of the log file. */
  bytesNotLogged: number;
}

/** What a log may be: a regular file, or a character device such as /dev/null. */
function kindOf(stats: Stats): string | undefined {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isBlockDevice()) return 'a block device';
  return undefined;
}

/**
 * Why an open log file may not take a job's output: made by another user (who could read it, or have
 * linked it to a file of root's), a second name for a file (a hard link), or writable by every user.
 */
function trustProblem(path: string, stats: Stats): string | undefined {
  const owner = ownerProblem(path, stats);
  if (owner || !stats.isFile()) return owner;
  if (stats.nlink !== 1) return `${path} has ${stats.nlink} names (hard links)`;
  if ((stats.mode & 0o002) !== 0) return `${path} is writable by every user`;
  return undefined;
}

/**
 * Opens the log for appending without ever blocking: O_NONBLOCK, so a FIFO planted at the path cannot hold
 * open() for ever, and no symlink followed. Anything but a regular file or a character device is refused,
 * and so is a file that is not safe to take a job's output (trustProblem).
 */
function openLog(path: string): number {
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  let fd: number;
  try {
    fd = openSync(path, flags, FILE_MODE);
  } catch (error) {
    // A FIFO nobody reads answers a non-blocking open with ENXIO.
    if (errorCode(error) === 'ENXIO') throw new Error('not a regular file (a FIFO)');
    throw error;
  }
  const stats = fstatSync(fd);
  const kind = kindOf(stats);
  if (kind) {
    closeSync(fd);
    throw new Error(`not a regular file (${kind})`);
  }
  const problem = trustProblem(path, stats);
  if (problem) {
    closeSync(fd);
    throw new UnsafePathError(problem);
  }
  return fd;
}

const NEWLINE = Buffer.from('\n');

/** How often, at most, a run checks that its log's path still names the file it writes. */
const PATH_CHECK_MS = 1000;

/**
 * The last `length` bytes of the regular file open (write-only) as `fd`, read through the path, or
 * undefined when they cannot be had (too short a file, not a regular file, the path names another file).
 */
function readEnd(path: string, fd: number, length: number): { bytes: Buffer; size: number } | undefined {
  const stats = fstatSync(fd);
  if (!stats.isFile() || stats.size < length || length === 0) return undefined;
  const reader = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const bytes = Buffer.alloc(length);
    if (fstatSync(reader).ino !== stats.ino || readSync(reader, bytes, 0, length, stats.size - length) !== length) return undefined;
    return { bytes, size: stats.size };
  } finally {
    closeSync(reader);
  }
}

/** Whether the file's last byte is not a newline: an earlier write was cut short. */
function endsInsideRecord(path: string, fd: number): boolean {
  const end = readEnd(path, fd, 1);
  return end !== undefined && end.bytes[0] !== 0x0a;
}

/**
 * Truncates away `torn`, the start of a record a short write left at the end of the file, if the file still
 * ends with exactly those bytes (nothing appended after them), so a concurrent run's records are never cut.
 */
function takeBack(path: string, fd: number, torn: Buffer): void {
  try {
    const end = readEnd(path, fd, torn.length);
    if (end?.bytes.equals(torn)) ftruncateSync(fd, end.size - torn.length);
  } catch {
    // The next run starts on a fresh line (endsInsideRecord) in any case.
  }
}

/**
 * Appends records to a log file through one O_APPEND descriptor (each write holds whole records, so
 * concurrent runs never tear each other's lines, and copytruncate is safe). When the file cannot be
 * opened or written, the records go to `fallback` instead and are counted: nothing is lost, and the job
 * is never stopped by a full disk.
 */
export class LogFile {
  private fd: number | undefined;
  private failure: string | undefined;
  private bytesNotLogged = 0;
  /** The file ends inside a record (a full disk cut an earlier run short): start on a fresh line. */
  private freshLine = false;
  /** The open file's inode, and when the path was last checked to still name it (monotonic ms). */
  private inode = 0;
  private checkedAt = 0;
  /** The record that says the log was reopened (set by the recorder, which knows the format). */
  private reopenedRecord: ((reason: string) => Buffer) | undefined;

  constructor(
    readonly path: string,
    private readonly fallback: (records: Buffer) => void,
    private readonly onFailure: (reason: string) => void,
  ) {
    try {
      makeDirs(dirname(path), DIR_MODE);
      this.fd = openLog(path);
      this.freshLine = endsInsideRecord(path, this.fd);
      this.inode = fstatSync(this.fd).ino;
      this.checkedAt = monotonicMs();
    } catch (error) {
      this.fail(`cannot open ${path}: ${errorCode(error)}`);
    }
  }

  /** Gives the log the record it writes first into a file it reopened. */
  onReopen(record: (reason: string) => Buffer): void {
    this.reopenedRecord = record;
  }

  write(records: Buffer): void {
    if (this.fd !== undefined && monotonicMs() - this.checkedAt >= PATH_CHECK_MS) this.followPath();
    if (this.fd !== undefined) {
      try {
        if (this.freshLine) records = Buffer.concat([NEWLINE, records]);
        this.freshLine = false;
        const written = writeSync(this.fd, records);
        if (written === records.length) return;
        // The disk took only part: take back the torn record, so the file still ends on a whole one.
        const whole = records.lastIndexOf(0x0a, written - 1) + 1;
        takeBack(this.path, this.fd, records.subarray(whole, written));
        this.fail(`short write to ${this.path} (the disk or the file size limit is full)`);
        records = records.subarray(whole);
      } catch (error) {
        this.fail(`cannot write ${this.path}: ${errorCode(error)}`);
      }
    }
    this.bytesNotLogged += records.length;
    this.fallback(records);
  }

  /**
   * While a run lasts, the log follows its path as tail -F does: if the path no longer names the open
   * file (renamed by a rotation, or removed), the file at the path is opened (made if need be) and the
   * rest of the run goes there, after a `reopened` record. copytruncate keeps the file: nothing to do.
   */
  private followPath(): void {
    this.checkedAt = monotonicMs();
    let reason: string | undefined;
    try {
      if (lstatSync(this.path).ino !== this.inode) reason = 'the path names another file (the log was rotated)';
    } catch (error) {
      reason = errorCode(error) === 'ENOENT' ? 'no file at the path any more (rotated or removed)' : undefined;
    }
    if (!reason || this.fd === undefined) return;
    try {
      const fd = openLog(this.path);
      closeSync(this.fd);
      this.fd = fd;
      this.inode = fstatSync(fd).ino;
      if (this.reopenedRecord) writeSync(fd, this.reopenedRecord(reason));
    } catch (error) {
      this.fail(`cannot reopen ${this.path} (${reason}): ${errorCode(error)}`);
    }
  }

  /** Where the records went so far, and what could not be logged. */
  get result(): LogResult {
    return { path: this.path, bytesNotLogged: this.bytesNotLogged, ...(this.failure ? { failure: this.failure } : {}) };
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private fail(reason: string): void {
    this.failure = reason;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.onFailure(reason);
  }
}

/**
 * Opens a run's log. If it fails, records go to stderr, unless they are already shown on `console`
 * (printing them twice on a terminal helps nobody); cronwrap says so once on stderr.
 */
export function openRunLog(path: string, console: ConsoleOutput | undefined, stderr: Writer): LogFile {
  // stderr is the log's fallback: cron mails what lands there. If it is gone too, the job must still go on.
  const toStderr = new ConsoleOutput(stderr);
  return new LogFile(
    path,
    (records) => (console?.active ? undefined : toStderr.write(records)),
    (reason) => warn(stderr, `${reason}; ${console?.active ? 'the output is only on stdout' : 'the output goes to stderr instead'}`),
  );
}
