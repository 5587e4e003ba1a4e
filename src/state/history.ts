import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { replaceFile } from './atomic-file.js';
import { join } from 'node:path';
import { arrayOf, isBoolean, isNumber, isString, nullable, optional, parseJsonObject, shape } from '../util/check.js';
import { isJobName, type JobName } from '../util/job-name.js';
import { makeDirs } from '../util/make-dirs.js';
import { checkTrustedDirectory } from '../util/trust.js';
import { tryLock } from './lock.js';
import { jobFile, jobsWithFile } from './paths.js';

/** One finished (or skipped) run, as kept in the job's history file: one JSON line per run. */
export interface RunRecord {
  job: string;
  run: string;
  host: string;
  start: string;
  end: string;
  duration_ms: number;
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
  /** The run did not start because the job was paused (`cronwrap pause`). */
  paused?: boolean;
  /** `--stderr-fails`: the command exited 0 but wrote to stderr, so the run failed. */
  stderr_failed?: boolean;
  /** How the run counted (after --ok-exit, --warn-exit, --stderr-fails and healing); older records lack it. */
  verdict?: 'ok' | 'warning' | 'failed' | 'skipped';
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

type RecordedVerdict = NonNullable<RunRecord['verdict']>;

/** What a run's exit status alone says of it (and --stderr-fails), with no --ok-exit, --warn-exit or heal. */
export function verdictByExit(exit: number, skipped: boolean, stderrFailed: boolean): RecordedVerdict {
  if (skipped) return 'skipped';
  return exit === 0 && !stderrFailed ? 'ok' : 'failed';
}

/** How a run counted; a record older than the verdict: by its exit status. */
export function verdictOf(run: RunRecord): RecordedVerdict {
  return run.verdict ?? verdictByExit(run.exit, run.lock_skipped || run.paused === true, run.stderr_failed === true);
}

/** A run that ran and did its job: ok, or a warning (a --warn-exit status, a healed failure). */
export function isSuccessfulRun(run: RunRecord): boolean {
  const verdict = verdictOf(run);
  return verdict === 'ok' || verdict === 'warning';
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
  exit: isNumber,
  signal: nullable(isString),
  timed_out: isBoolean,
  idle_timed_out: optional(isBoolean),
  log: isString,
  attempts: isNumber,
  lock_skipped: isBoolean,
  paused: optional(isBoolean),
  stderr_failed: optional(isBoolean),
  verdict: optional((value: unknown) => value === 'ok' || value === 'warning' || value === 'failed' || value === 'skipped'),
  heal: optional(shape<HealRecord>({ ran: isBoolean, exit: nullable(isNumber), retried: isBoolean, helped: isBoolean, text: isString })),
  schedule: optional(isString),
  duration_warning: optional(isString),
  leftovers: arrayOf(isString),
  leftovers_ended: isBoolean,
  notifications: arrayOf(isNotificationRecord),
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
  if (!isJobName(job)) return [];
  const path = historyPath(stateDir, job);
  let text: string;
  try {
    checkTrustedDirectory(historyDir(stateDir));
    text = readFileSync(path, 'utf8');
  } catch {
    return []; // commands say why first (stateDirProblem)
  }
  return recordsOf(text, path, onDamaged);
}

/**
 * A job's latest runs, oldest first, from at most the last `maxBytes` of its history (a run reads this
 * much, not a history of a thousand runs); nothing when it cannot be read (the history stage says why).
 */
export function readRecentHistory(stateDir: string, job: JobName, maxBytes = 64 * 1024): RunRecord[] {
  const path = historyPath(stateDir, job);
  let text: string;
  try {
    checkTrustedDirectory(historyDir(stateDir));
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const size = fstatSync(fd).size;
      const buffer = Buffer.alloc(Math.min(size, maxBytes));
      readSync(fd, buffer, 0, buffer.length, size - buffer.length);
      text = buffer.toString('utf8');
      // The first line is cut unless the read began at the start of the file.
      if (buffer.length < size) text = text.slice(text.indexOf('\n') + 1);
    } finally {
      closeSync(fd);
    }
  } catch {
    return [];
  }
  return recordsOf(text, path);
}

/** The records of a history's text, each run once; lines that are not records are counted for `onDamaged`. */
function recordsOf(text: string, path: string, onDamaged?: (path: string, lines: number) => void): RunRecord[] {
  const byRun = new Map<string, RunRecord>();
  let damaged = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    const record = parseRecord(line);
    if (!record) {
      damaged++;
      continue;
    }
    byRun.delete(record.run);
    byRun.set(record.run, record);
  }
  if (damaged > 0) onDamaged?.(path, damaged);
  return [...byRun.values()];
}

/** The jobs that have a history in this state directory (a file whose name is no job's is none). */
export function historyJobs(stateDir: string): JobName[] {
  return jobsWithFile(historyDir(stateDir), '.jsonl');
}
