import { readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { errorCode } from '../errors.js';
import { isNumber, isString, nullable, shape } from '../util/check.js';
import { isJobName, type JobName } from '../util/job-name.js';
import { isGone, readProcStat } from '../util/proc.js';
import { checkPrivateDirectory } from '../util/trust.js';
import { makeDirs } from '../util/make-dirs.js';
import { jobFile } from './paths.js';

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** A run in progress, as it marks itself: `<state>/running/<job>.<run>.json`, removed when it ends. */
export interface RunningMark {
  job: JobName;
  run: string;
  /** cronwrap's pid and its start time in /proc (so a reused pid is not taken for it). */
  pid: number;
  procStart: string;
  startMs: number;
  /** `--timeout`, if the run has one. */
  timeoutMs: number | null;
}

const isRunningMark = shape<RunningMark>({ job: isJobName, run: isString, pid: isNumber, procStart: isString, startMs: isNumber, timeoutMs: nullable(isNumber) });

function runningDir(stateDir: string): string {
  return join(stateDir, 'running');
}

function markPath(stateDir: string, job: JobName, run: string): string {
  return jobFile(runningDir(stateDir), job, `.${run}.json`);
}

/**
 * Writes the mark: created exclusively (the run id makes the name unique) and written whole by one
 * write, not through a temp file and a rename, for it is on every run's path.
 */
export function markRunning(stateDir: string, mark: Omit<RunningMark, 'procStart'>): void {
  const full: RunningMark = { ...mark, procStart: readProcStat(mark.pid)?.started ?? '' };
  makeDirs(runningDir(stateDir), 0o700);
  writeFileSync(markPath(stateDir, mark.job, mark.run), `${JSON.stringify(full)}\n`, { mode: 0o600, flag: 'wx' });
}

/** Removes the run's mark as it ends. */
export function clearRunning(stateDir: string, job: JobName, run: string): void {
  try {
    rmSync(markPath(stateDir, job, run), { force: true });
  } catch {
    // never written (the state directory cannot be): nothing to remove
  }
}

/** Whether the cronwrap that made the mark still runs (the same process, not a new one with its pid; not a zombie). */
export function stillRunning(mark: RunningMark): boolean {
  const stat = readProcStat(mark.pid);
  return !isGone(stat) && stat?.started === mark.procStart;
}

/** The well-formed marks, each with its path; damaged ones are removed, unless written within 10 s of `now` (wall-clock ms, as mtimes are). */
function readMarks(stateDir: string, now: number): { path: string; mark: RunningMark }[] {
  const dir = runningDir(stateDir);
  let names: string[];
  try {
    checkPrivateDirectory(dir);
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    try {
      const mark: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (isRunningMark(mark)) return [{ path, mark }];
    } catch {
      // Being written this instant (it is written in one go, but read may come first), or removed meanwhile.
      if (now - (statOrUndefined(path)?.mtimeMs ?? 0) < 10_000) return [];
    }
    try {
      rmSync(path, { force: true });
    } catch {
      // a reader on a read-only view of the state (cronwrap serve under ProtectSystem=strict) leaves it
    }
    return [];
  });
}

/**
 * The marks of runs in progress. A mark whose cronwrap is gone is left for its job's next run
 * (`claimNeverEnded`), which tells of it.
 */
export function runningRuns(stateDir: string, now: number): RunningMark[] {
  return readMarks(stateDir, now).flatMap(({ mark }) => (stillRunning(mark) ? [mark] : []));
}

/** Every run that started and has not ended: in progress, or cut short with its mark left (for `check`: it started). */
export function startedRuns(stateDir: string, now: number): RunningMark[] {
  return readMarks(stateDir, now).map(({ mark }) => mark);
}

/**
 * The job's runs whose cronwrap died before their end (SIGKILL, the OOM killer, the host going down):
 * their marks, oldest first, removed so that they are told once. Two runs that find one mark at the same
 * time cannot both have it: only one removes it.
 */
export function claimNeverEnded(stateDir: string, job: JobName, now: number): RunningMark[] {
  const claimed = readMarks(stateDir, now).filter(({ path, mark }) => {
    if (mark.job !== job || stillRunning(mark)) return false;
    try {
      unlinkSync(path);
      return true;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false; // claimed by another run
      throw error;
    }
  });
  return claimed.map(({ mark }) => mark).sort((a, b) => a.startMs - b.startMs);
}
