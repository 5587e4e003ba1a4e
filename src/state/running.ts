import { readdirSync, readFileSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { isNumber, isString, nullable, shape } from '../util/check.js';
import { readProcStat } from '../util/proc.js';
import { checkTrustedDirectory } from '../util/trust.js';
import { makeDirs } from '../util/make-dirs.js';

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** A run in progress, as it marks itself: `<state>/running/<job>.<run>.json`, removed when it ends. */
export interface RunningMark {
  job: string;
  run: string;
  /** cronwrap's pid and its start time in /proc (so a reused pid is not taken for it). */
  pid: number;
  procStart: string;
  startMs: number;
  /** `--timeout`, if the run has one. */
  timeoutMs: number | null;
}

const isRunningMark = shape<RunningMark>({ job: isString, run: isString, pid: isNumber, procStart: isString, startMs: isNumber, timeoutMs: nullable(isNumber) });

function runningDir(stateDir: string): string {
  return join(stateDir, 'running');
}

function markPath(stateDir: string, job: string, run: string): string {
  return join(runningDir(stateDir), `${job}.${run}.json`);
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

/** Removes the run's mark; one that cannot be removed is dropped by `runningRuns` once its cronwrap is gone. */
export function clearRunning(stateDir: string, job: string, run: string): void {
  try {
    rmSync(markPath(stateDir, job, run), { force: true });
  } catch {
    // never written (the state directory cannot be): nothing to remove
  }
}

/** Whether the cronwrap that made the mark still runs (the same process, not a new one with its pid). */
export function stillRunning(mark: RunningMark): boolean {
  return readProcStat(mark.pid)?.started === mark.procStart;
}

/** The marks of runs in progress; marks that are not (damaged, or left by a run that died) are removed. */
export function runningRuns(stateDir: string): RunningMark[] {
  const dir = runningDir(stateDir);
  let names: string[];
  try {
    checkTrustedDirectory(dir);
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    try {
      const mark: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (isRunningMark(mark) && stillRunning(mark)) return [mark];
    } catch {
      // Being written this instant (it is written in one go, but read may come first), or removed meanwhile.
      if (Date.now() - (statOrUndefined(path)?.mtimeMs ?? 0) < 10_000) return [];
    }
    try {
      rmSync(path, { force: true });
    } catch {
      // a reader on a read-only view of the state (cronwrap serve under ProtectSystem=strict) leaves it
    }
    return [];
  });
}
