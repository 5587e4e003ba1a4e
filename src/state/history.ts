import { closeSync, constants, fstatSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { replaceFile } from './atomic-file.js';
import { join } from 'node:path';
import { arrayOf, isBoolean, isNumber, isString, nullable, optional, parseJsonObject, shape } from '../util/check.js';
import { isJobName, type JobName } from '../util/job-name.js';
import { makeDirs } from '../util/make-dirs.js';
import { checkPrivateDirectory } from '../util/trust.js';
import { tryLock } from './lock.js';
import { jobFile, jobsWithFile } from './paths.js';

/**
 * How a run counts, for alerts and in its history record: a skip for a busy lock is neither a success nor
 * the job's failure; a warning (a --warn-exit status, a failure a heal fixed, an odd duration) did its job,
 * but someone should look.
 */
export type Verdict = 'ok' | 'warning' | 'failed' | 'skipped';

/** One finished (or skipped) run, as kept in the job's history file: one JSON line per run. */
export interface RunRecord {
  job: string;
  run: string;
  host: string;
  start: string;
  end: string;
  /** From the moment the command could start to the run's end. */
  duration_ms: number;
  /** How long the run waited before that (jitter, locks); absent when it did not wait, and in older records. */
  waited_ms?: number;
  /**
   * The start on the monotonic clock (µs) of the boot `boot` (/proc/sys/kernel/random/boot_id): runs of one
   * boot are ordered by it whatever the wall clock did (a step back, NTP); older records lack it.
   */
  monotonic?: MonotonicStart;
  /** cronwrap's exit status for the run. */
  exit: number;
  /** The signal that ended the command, if one did. */
  signal: string | null;
  timed_out: boolean;
  /** `--idle-timeout` stopped it: no output for too long. */
  idle_timed_out?: boolean;
  log: string;
  /** How many times the command ran (1 + retries used; 0 when skipped). */
  attempts: number;
  /** The run did not start because another run of the job held the lock. */
  lock_skipped: boolean;
  /** The run did not start because the job was paused (`cronwrap pause`, an Alertmanager silence saying `skip:`). */
  paused?: boolean;
  /** The run went on silenced (`cronwrap pause --silence`, an Alertmanager silence): which, by whom, until when, why. */
  silenced?: string;
  /** `--stderr-fails`: the command exited 0 but wrote to stderr, so the run failed. */
  stderr_failed?: boolean;
  /** How the run counted (after --ok-exit, --warn-exit, --stderr-fails and healing); older records lack it. */
  verdict?: Verdict;
  /** `--on-failure`: what the heal did. */
  heal?: HealRecord;
  /** The job's cron schedule, when the run was given one (`--schedule`). */
  schedule?: string;
  /** A successful run far from its usual (or expected) duration. */
  duration_warning?: string;
  /** Processes the command left behind (`pid name`), and whether cronwrap ended them. */
  leftovers: string[];
  leftovers_ended: boolean;
  /** Every alert, re-sent alert and ping of the run, and how it went. */
  notifications: NotificationRecord[];
  /** How the run was recorded, when a reader must know: binary output, a stdout that failed, a log not written. */
  notes?: string[];
  /** What went wrong in cronwrap's own work after the job (`metrics: cannot write metrics: ENOSPC`). */
  problems?: string[];
  /** Earlier runs of the job that never ended (their cronwrap was killed), found by this run. */
  never_ended?: NeverEndedRun[];
}

/** A run whose cronwrap died before the run's end: no footer, no history record of its own. */
export interface NeverEndedRun {
  run: string;
  start: string;
  /** Its cronwrap's pid. */
  pid: number;
}

export interface MonotonicStart {
  boot: string;
  start_us: number;
}

export interface HealRecord {
  ran: boolean;
  exit: number | null;
  retried: boolean;
  helped: boolean;
  text: string;
}

export interface NotificationRecord {
  channel: string;
  kind: string;
  ok: boolean;
  attempts: number;
  error: string | null;
  kept: boolean;
  resent: boolean;
}

const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

function historyDir(stateDir: string): string {
  return join(stateDir, 'history');
}

/** What a run's exit status alone says of it (and --stderr-fails), with no --ok-exit, --warn-exit or heal. */
export function verdictByExit(exit: number, skipped: boolean, stderrFailed: boolean): Verdict {
  if (skipped) return 'skipped';
  return exit === 0 && !stderrFailed ? 'ok' : 'failed';
}

/** How a run counted; a record older than the verdict: by its exit status. */
export function verdictOf(run: RunRecord): Verdict {
  return run.verdict ?? verdictByExit(run.exit, run.lock_skipped || run.paused === true, run.stderr_failed === true);
}

/**
 * A run that ran and did its job by itself: ok, or a warning (a --warn-exit status, an odd duration). A
 * failure `--on-failure` healed is none: it neither ends a streak of failures nor sets a usual duration.
 */
export function isSuccessfulRun(run: RunRecord): boolean {
  const verdict = verdictOf(run);
  return (verdict === 'ok' || verdict === 'warning') && run.heal?.helped !== true;
}

/**
 * The history directories found trusted in this synchronous pass: `status` reads 500 histories in a row,
 * and walking the whole path each time cost more than reading them. Forgotten at the next microtask, so
 * the live view checks again at each request.
 */
const trustedThisPass = new Set<string>();

/** Throws unless the state directory's history directory is trusted (util/trust.ts). */
function checkHistoryDir(stateDir: string): void {
  const dir = historyDir(stateDir);
  if (trustedThisPass.has(dir)) return;
  checkPrivateDirectory(dir);
  if (trustedThisPass.size === 0) queueMicrotask(() => trustedThisPass.clear());
  trustedThisPass.add(dir);
}

/** The history file of a job: `<state>/history/<job>.jsonl`. */
export function historyPath(stateDir: string, job: JobName): string {
  return jobFile(historyDir(stateDir), job, '.jsonl');
}

/** Appends with one O_APPEND write; if a trim replaced the file meanwhile, appends to the new file too. */
function appendLine(path: string, line: string): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    const fd = openSync(path, APPEND, 0o600);
    try {
      writeSync(fd, line);
      if (fstatSync(fd).ino === statSync(path).ino) return;
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * Appends one run to the job's history (directories 0700, files 0600) and keeps the file to about
 * `limit` runs. Concurrent runs lose nothing: a trimmer copies what was appended while it worked, an
 * appender that wrote to a file a trim replaced writes again, and readers drop the duplicates by run id.
 */
export function appendHistory(stateDir: string, job: JobName, record: RunRecord, limit: number): void {
  makeDirs(historyDir(stateDir), 0o700);
  const path = historyPath(stateDir, job);
  appendLine(path, `${JSON.stringify(record)}\n`);
  // Trim only once the file has clearly outgrown the limit (records are well over 200 bytes).
  if (statSync(path).size > limit * 1.1 * 200) trimHistory(stateDir, job, limit);
}

function trimHistory(stateDir: string, job: JobName, limit: number): void {
  const lock = tryLock(join(stateDir, 'locks', 'history'), job);
  if (!lock) return; // another run is trimming
  const path = historyPath(stateDir, job);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const before = readAll(fd);
    const lines = before.toString('utf8').split('\n').filter(Boolean);
    if (lines.length <= limit * 1.1) return;
    replaceFile(path, `${lines.slice(-limit).join('\n')}\n`, 0o600);
    // Runs that appended to the old file between our read and the rename.
    const late = readAll(fd);
    if (late.length > 0) appendLine(path, late.toString('utf8'));
  } finally {
    closeSync(fd);
    lock.release();
  }
}

function readAll(fd: number): Buffer {
  const chunks: Buffer[] = [];
  const buffer = Buffer.allocUnsafe(64 * 1024);
  for (let bytes = readSync(fd, buffer); bytes > 0; bytes = readSync(fd, buffer)) chunks.push(Buffer.from(buffer.subarray(0, bytes)));
  return Buffer.concat(chunks);
}

const isNotificationRecord = shape<NotificationRecord>({
  channel: isString,
  kind: isString,
  ok: isBoolean,
  attempts: isNumber,
  error: nullable(isString),
  kept: isBoolean,
  resent: isBoolean,
});

const isRunRecord = shape<RunRecord>({
  job: isString,
  run: isString,
  host: isString,
  start: isString,
  end: isString,
  duration_ms: isNumber,
  waited_ms: optional(isNumber),
  monotonic: optional(shape<MonotonicStart>({ boot: isString, start_us: isNumber })),
  exit: isNumber,
  signal: nullable(isString),
  timed_out: isBoolean,
  idle_timed_out: optional(isBoolean),
  log: isString,
  attempts: isNumber,
  lock_skipped: isBoolean,
  paused: optional(isBoolean),
  silenced: optional(isString),
  stderr_failed: optional(isBoolean),
  verdict: optional((value: unknown) => value === 'ok' || value === 'warning' || value === 'failed' || value === 'skipped'),
  heal: optional(shape<HealRecord>({ ran: isBoolean, exit: nullable(isNumber), retried: isBoolean, helped: isBoolean, text: isString })),
  schedule: optional(isString),
  duration_warning: optional(isString),
  leftovers: arrayOf(isString),
  leftovers_ended: isBoolean,
  notifications: arrayOf(isNotificationRecord),
  notes: optional(arrayOf(isString)),
  problems: optional(arrayOf(isString)),
  never_ended: optional(arrayOf(shape<NeverEndedRun>({ run: isString, start: isString, pid: isNumber }))),
});

/** Fields that records of older versions lack. */
const OLDER_FIELDS: readonly [string, () => unknown][] = [
  ['leftovers', () => []],
  ['leftovers_ended', () => false],
  ['notifications', () => []],
];

/** A line of the history as a record, or undefined when it is not one (damaged or hand-edited). */
function parseRecord(line: string): RunRecord | undefined {
  const record = parseJsonObject(line);
  if (!record) return undefined;
  // Filled in place: spreading a parsed record into a new object costs ~7x the parse (500 jobs of 1000 runs: 25 s).
  for (const [key, value] of OLDER_FIELDS) if (record[key] === undefined) record[key] = value();
  return isRunRecord(record) ? record : undefined;
}

/**
 * A job's runs, oldest first, each once. Lines that are not records are skipped; `onDamaged` hears how
 * many, so a command can say so (the file is kept: its other lines are good). The live view asks by the
 * text of its URL: a name that cannot be a job's has no history.
 */
export function readHistory(stateDir: string, job: string, onDamaged?: (path: string, lines: number) => void): RunRecord[] {
  return inStartOrder(runsNewestFirst(stateDir, job, Infinity, onDamaged).reverse());
}

/**
 * Runs (oldest first, as written: in the order they ended) in the order they started: by the monotonic
 * clock among neighbours of one boot, so overlapping runs and a wall clock stepped back or forth do not
 * mix them up. A record without it (older, or no /proc) stays where it was written; runs of different
 * boots keep their order (a boot's runs ended before the next boot's began).
 */
export function inStartOrder(runs: readonly RunRecord[]): RunRecord[] {
  const ordered: RunRecord[] = [];
  let boot: RunRecord[] = [];
  const endBoot = () => {
    ordered.push(...boot.sort((a, b) => (a.monotonic?.start_us ?? 0) - (b.monotonic?.start_us ?? 0)));
    boot = [];
  };
  for (const run of runs) {
    if (run.monotonic?.boot !== boot[0]?.monotonic?.boot) endBoot();
    if (run.monotonic) boot.push(run);
    else ordered.push(run);
  }
  endBoot();
  return ordered;
}

/**
 * A job's latest runs, oldest first, from at most the last `maxBytes` of its history (a run reads this
 * much, not a history of a thousand runs); nothing when it cannot be read (the history stage says why).
 */
export function readRecentHistory(stateDir: string, job: JobName, maxBytes = 64 * 1024): RunRecord[] {
  return runsNewestFirst(stateDir, job, maxBytes).reverse();
}

/** Every run in the last `maxBytes` of a job's history, newest first. */
function runsNewestFirst(stateDir: string, job: string, maxBytes: number, onDamaged?: (path: string, lines: number) => void): RunRecord[] {
  const runs: RunRecord[] = [];
  visitRunsNewestFirst(
    stateDir,
    job,
    (run) => {
      runs.push(run);
      return true;
    },
    maxBytes,
    onDamaged,
  );
  return runs;
}

/** A job's last `count` runs, newest first: only as much of the history's end as holds them is read. */
export function readNewestRuns(stateDir: string, job: string, count: number): RunRecord[] {
  const runs: RunRecord[] = [];
  if (count > 0) visitRunsNewestFirst(stateDir, job, (run) => runs.push(run) < count);
  return runs;
}

/** What changes whenever a job's history does (replaced, appended to, touched): `ino:size:mtime`; undefined when it has none. */
export function historySignature(stateDir: string, job: JobName): string | undefined {
  try {
    const stats = statSync(historyPath(stateDir, job));
    return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** How much of a history is read at a time, from its end. */
const CHUNK_BYTES = 16 * 1024;

/**
 * Hands a job's runs to `visit` newest first, each once (a trim may copy a run: its newest line counts),
 * reading the history backwards from its end a chunk at a time, so the head of a long history is never
 * read once `visit` has what it wants (it returns false then). At most `maxBytes` are read; a line that
 * begins before them is not visited. Lines that are not records are skipped and counted for `onDamaged`.
 * Returns true when `maxBytes` stopped the read before `visit` had enough and before the file's start:
 * older runs were left unread. A history that cannot be read has no runs (commands say why first:
 * stateDirProblem); a name that cannot be a job's has none either.
 */
export function visitRunsNewestFirst(
  stateDir: string,
  job: string,
  visit: (run: RunRecord) => boolean,
  maxBytes = Infinity,
  onDamaged?: (path: string, lines: number) => void,
): boolean {
  if (!isJobName(job)) return false;
  const path = historyPath(stateDir, job);
  const seen = new Set<string>();
  let damaged = 0;
  let cut = false;
  try {
    checkHistoryDir(stateDir);
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const stats = fstatSync(fd);
      if (!stats.isFile()) return false;
      cut = visitLinesBackwards(fd, stats.size, maxBytes, (line) => {
        const record = parseRecord(line);
        if (!record) {
          damaged++;
          return true;
        }
        if (seen.has(record.run)) return true;
        seen.add(record.run);
        return visit(record);
      });
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  if (damaged > 0) onDamaged?.(path, damaged);
  return cut;
}

/**
 * Hands the lines of the file's first `size` bytes to `visit`, last first, reading backwards; returns true
 * when `maxBytes` stopped it before the file's start (and before `visit` returned false).
 */
function visitLinesBackwards(fd: number, size: number, maxBytes: number, visit: (line: string) => boolean): boolean {
  let end = size; // the unread part of the file is [0, end)
  let carry = Buffer.alloc(0); // the read end of a line that begins before `end`
  while (end > 0) {
    const room = maxBytes - (size - end);
    if (room <= 0) return true;
    const length = Math.min(CHUNK_BYTES, end, room);
    const chunk = Buffer.allocUnsafe(length + carry.length);
    end -= length;
    if (readSync(fd, chunk, 0, length, end) !== length) throw new Error('the history shrank while read');
    carry.copy(chunk, length);
    // Whole lines only: before the file's start is read, the bytes before the chunk's first newline
    // belong to a line that begins earlier.
    const first = end === 0 ? 0 : chunk.indexOf(0x0a) + 1;
    if (end > 0 && first === 0) {
      carry = chunk;
      continue;
    }
    carry = chunk.subarray(0, first);
    // Each line decoded alone, last first: the lines before the one `visit` stops at are never decoded.
    for (let lineEnd = chunk.length; lineEnd > first; ) {
      const lineStart = Math.max(first, chunk.lastIndexOf(0x0a, lineEnd - 1) + 1);
      if (lineStart < lineEnd && !visit(chunk.toString('utf8', lineStart, lineEnd))) return false;
      lineEnd = lineStart - 1;
    }
  }
  return false;
}

/** The jobs that have a history in this state directory (a file whose name is no job's is none). */
export function historyJobs(stateDir: string): JobName[] {
  return jobsWithFile(historyDir(stateDir), '.jsonl');
}
