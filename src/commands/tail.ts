import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { errorCode } from '../errors.js';
import type { Io } from '../io.js';
import { print } from '../output/console.js';
import { outputWriter } from '../output/terminal-safe.js';
import { Interruptions } from '../run/interruptions.js';
import { readHistory } from '../state/history.js';
import type { Writer } from '../util/fd.js';

const FOLLOW_POLL_MS = 200;

/** The bytes of `fd` from `position` to its end, in pieces, written to stdout. Returns the new position. */
function copyFrom(fd: number, position: number, out: Writer): number {
  const buffer = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    const bytes = readSync(fd, buffer, 0, buffer.length, position);
    if (bytes === 0) return position;
    out.write(buffer.subarray(0, bytes));
    position += bytes;
  }
}

/** Where the last `lines` lines of the file start (reading backwards from its end). */
function startOfLastLines(fd: number, size: number, lines: number): number {
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

/**
 * Opens a log for reading: never through a symlink (cronwrap never writes through one), never blocking
 * on a FIFO, and only a regular file (a device could be read for ever).
 */
function openLogForReading(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  if (fstatSync(fd).isFile()) return fd;
  closeSync(fd);
  throw new Error('not a regular file');
}

/** The job's log: where its last run logged, or the default place. */
export function jobLogPath(stateDir: string, job: string, fallback: string): string {
  return readHistory(stateDir, job).at(-1)?.log ?? fallback;
}

/**
 * `cronwrap tail JOB [-n N] [-f]`: prints the last lines of a job's log and, with `follow`, what is
 * appended to it, across logrotate (a new file or a truncated one is read from its start).
 */
export async function runTail(path: string, lines: number, follow: boolean, io: Io): Promise<number> {
  const interruptions = new Interruptions();
  let fd: number | undefined;
  try {
    // With -f, a log that does not exist yet (the job has not run) is waited for, as tail -F does.
    for (;;) {
      try {
        fd = openLogForReading(path);
        break;
      } catch (error) {
        if (!follow || errorCode(error) !== 'ENOENT') {
          print(io.stderr, `cronwrap: cannot read ${path}: ${errorCode(error)}\n`);
          return 1;
        }
      }
      if (await interruptions.sleep(FOLLOW_POLL_MS)) return 0;
    }
    return await printAndFollow(fd, path, lines, follow, io, interruptions);
  } finally {
    interruptions.dispose();
  }
}

/** Prints the last `lines` of the open log and, with `follow`, what is appended, until interrupted. */
async function printAndFollow(opened: number, path: string, lines: number, follow: boolean, io: Io, interruptions: Interruptions): Promise<number> {
  const out = outputWriter(io.stdout, io.stdoutIsTTY);
  let fd = opened;
  let position = copyFrom(fd, startOfLastLines(fd, fstatSync(fd).size, lines), out);
  if (!follow) {
    closeSync(fd);
    return 0;
  }
  try {
    while (!(await interruptions.sleep(FOLLOW_POLL_MS))) {
      let current: { ino: number; size: number } | undefined;
      try {
        current = statSync(path);
      } catch {
        continue; // rotated away, the new file not created yet
      }
      const open = fstatSync(fd);
      if (current.ino !== open.ino) {
        position = copyFrom(fd, position, out); // the rest of the rotated file
        closeSync(fd);
        fd = openLogForReading(path);
        position = 0;
      } else if (open.size < position) {
        position = 0; // truncated (copytruncate)
      }
      position = copyFrom(fd, position, out);
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}
