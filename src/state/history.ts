import { closeSync, constants, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** One finished run, as kept in the job's history file (one JSON line per run). */
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
  log: string;
}

/** The history file of a job: `<state>/history/<job>.jsonl`. */
export function historyPath(stateDir: string, job: string): string {
  return join(stateDir, 'history', `${job}.jsonl`);
}

/**
 * Appends one run to the job's history with a single O_APPEND write, so concurrent runs never mix
 * their records. State files are private: directories 0700, files 0600.
 */
export function appendHistory(stateDir: string, record: RunRecord): void {
  const path = historyPath(stateDir, record.job);
  mkdirSync(join(stateDir, 'history'), { recursive: true, mode: 0o700 });
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;
  const fd = openSync(path, flags, 0o600);
  try {
    writeSync(fd, `${JSON.stringify(record)}\n`);
  } finally {
    closeSync(fd);
  }
}
