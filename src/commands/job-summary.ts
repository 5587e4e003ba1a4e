import type { Io } from '../io.js';
import { warn } from '../output/console.js';
import { loadSchedule } from '../remote/load.js';
import { isSuccessfulRun, verdictOf, type NeverEndedRun, type RunRecord } from '../state/history.js';
import type { WatchedJob } from './watched-jobs.js';

/** Says on stderr that a history file has lines that are not records (they are skipped). */
export function damagedLines(io: Io): (path: string, lines: number) => void {
  return (path, lines) => warn(io.stderr, `${path}: ${lines} damaged ${lines === 1 ? 'line' : 'lines'} skipped`);
}

/** One row of `cronwrap status`. */
export interface JobSummary {
  job: string;
  last_start: string;
  /** `ok`, `ok, duration warning`, `exit N`, `signal SIGX`, `timeout`, `stderr` or `skipped`. */
  last_result: string;
  last_exit: number;
  last_duration_ms: number;
  last_success: string | null;
  consecutive_failures: number;
  runs_24h: number;
  /** The last run failed (its exit status was not 0, or --stderr-fails found output on stderr). */
  failing: boolean;
  /** The job's schedule, as its last run recorded it. */
  schedule: string | null;
  /** The scheduled start that passed with no run (as `cronwrap check` finds it), filled in by `status`. */
  missed: string | null;
  /** `paused until 14:00`, `silenced`...: a `cronwrap pause` in force, filled in by `status`. */
  paused: string | null;
  /** The job's latest run that never ended (its cronwrap was killed), as a later run found it. */
  last_never_ended: NeverEndedRun | null;
}

const DAY_MS = 24 * 3600 * 1000;

/** A run's result in one word or two. */
export function resultOf(run: RunRecord): string {
  if (run.paused) return 'paused';
  if (run.lock_skipped) return 'skipped';
  if (run.heal) return run.heal.helped ? 'healed' : run.heal.ran ? 'heal failed' : 'not healed';
  if (run.timed_out) return run.idle_timed_out ? 'idle timeout' : 'timeout';
  if (run.stderr_failed) return 'stderr';
  if (run.exit === 0) return run.duration_warning ? 'ok, duration warning' : 'ok';
  const verdict = verdictOf(run);
  if (verdict !== 'failed') return `exit ${run.exit}, ${verdict}`;
  if (run.signal) return `signal ${run.signal}`;
  return `exit ${run.exit}`;
}

/** Sums up a job's runs (oldest first) as of `now`. Skipped runs neither count as failures nor end a streak. */
export function summarizeJob(job: string, runs: readonly RunRecord[], now: number): JobSummary | undefined {
  const last = runs.at(-1);
  if (!last) return undefined;
  let consecutiveFailures = 0;
  for (let i = runs.length - 1; i >= 0; i--) {
    const run = runs[i]!;
    if (run.lock_skipped || run.paused) continue;
    if (isSuccessfulRun(run)) break;
    consecutiveFailures++;
  }
  const lastSuccess = runs.findLast(isSuccessfulRun);
  return {
    job,
    last_start: last.start,
    last_result: resultOf(last),
    last_exit: last.exit,
    last_duration_ms: last.duration_ms,
    last_success: lastSuccess?.start ?? null,
    consecutive_failures: consecutiveFailures,
    runs_24h: runs.filter((run) => now - Date.parse(run.start) <= DAY_MS).length,
    failing: verdictOf(last) === 'failed',
    schedule: last.schedule ?? null,
    missed: null,
    paused: null,
    last_never_ended: runs.findLast((run) => run.never_ended?.length)?.never_ended?.at(-1) ?? null,
  };
}

/** The job's run that never ended, when it started within the last day: `status` tells it under its table. */
export function recentNeverEnded(summary: JobSummary, now: number): NeverEndedRun | undefined {
  const run = summary.last_never_ended;
  return run && now - Date.parse(run.start) <= DAY_MS ? run : undefined;
}

/** Failing or missed jobs first, then by name. */
export function orderSummaries<T extends Pick<JobSummary, 'job' | 'failing' | 'missed'>>(summaries: T[]): T[] {
  const trouble = (s: T) => Number(s.failing || s.missed !== null);
  return summaries.sort((a, b) => trouble(b) - trouble(a) || a.job.localeCompare(b.job));
}

/** The job's summary, with its schedule and the start it missed, as `cronwrap check` finds them. */
export function withMissed(summary: JobSummary, watched: WatchedJob | undefined, now: number): JobSummary {
  if (!watched || summary.paused) return summary;
  const due = loadSchedule().missedStart(watched.schedule, new Date(now), watched.lastStartMs, watched.knownSinceMs, watched.timeZone);
  return { ...summary, schedule: watched.schedule, missed: due?.toISOString() ?? null };
}
