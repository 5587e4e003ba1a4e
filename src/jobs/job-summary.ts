import type { Io } from '../io.js';
import { warn } from '../output/console.js';
import { loadSchedule } from '../remote/load.js';
import { isSuccessfulRun, verdictOf, visitRunsNewestFirst, type NeverEndedRun, type RunRecord, type Verdict } from '../state/history.js';
import type { JobName } from '../util/job-name.js';
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
  /** How the last run counted (after --ok-exit, --warn-exit, --stderr-fails and healing). */
  last_verdict: Verdict;
  last_exit: number;
  last_duration_ms: number;
  /** The start of the last run that was ok or a warning without a heal; null: none (among the runs read: `counted_since`). */
  last_success: string | null;
  /**
   * Runs since the last success that failed, healed ones too (a heal covers a failure, it does not make the
   * job well); skipped runs aside (at least this many when `counted_since` is set and there is no `last_success`).
   */
  consecutive_failures: number;
  /** Runs that started in the last 24 hours (at least this many when `counted_since` is within them). */
  runs_24h: number;
  /**
   * null when the figures above are exact. Else the start of the oldest run read: the summary reads at most
   * the last SUMMARY_BYTES of a history, and the runs it needed went back further.
   */
  counted_since: string | null;
  /** The last run failed (its exit status was not 0, or --stderr-fails found output on stderr). */
  failing: boolean;
  /** The job's schedule, as its last run recorded it. */
  schedule: string | null;
  /** The scheduled start that passed with no run (as `cronwrap check` finds it), filled in by `status`. */
  missed: string | null;
  /** `paused until 14:00`, `silenced`...: a `cronwrap pause` in force, filled in by `status`. */
  paused: string | null;
  /** The job's latest run that never ended (its cronwrap was killed), as a later run found it (within the runs read). */
  last_never_ended: NeverEndedRun | null;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * How much of a history's end `status` and the live view read for a job's summary: some 200 runs, which
 * hold a day of a job run every 10 minutes. 500 such reads take well under half a second.
 */
export const SUMMARY_BYTES = 64 * 1024;

/**
 * A history is in the order its runs ended, each record written after its run's alerts (60 s at most):
 * a record written this long after its run's end is taken for one that cannot be.
 */
const RECORD_DELAY_MS = 10 * 60 * 1000;

/** A run's result in one word or two; a run that went on alerting no one (a pause --silence, an Alertmanager silence) says so. */
export function resultOf(run: RunRecord): string {
  const result = runResult(run);
  return run.silenced && !run.paused ? `${result}, silenced` : result;
}

function runResult(run: RunRecord): string {
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

/** A job's summary, built from its runs as they come newest first; `add` says when older runs change nothing. */
class SummaryOfRuns {
  /** The first run added, and the last. */
  newest: RunRecord | undefined;
  oldest: RunRecord | undefined;
  private lastSuccess: RunRecord | undefined;
  private failures = 0;
  private runs24h = 0;
  private dayCovered = false;
  private neverEnded: NeverEndedRun | undefined;
  /** The start (ms) of each run added. */
  readonly starts: number[] = [];

  constructor(
    private readonly job: string,
    private readonly now: number,
  ) {}

  /** Takes the next older run; false once no older run can change the summary. Skipped runs neither count as failures nor end a streak. */
  add(run: RunRecord): boolean {
    this.newest ??= run;
    this.oldest = run;
    if (!this.lastSuccess) {
      if (isSuccessfulRun(run)) this.lastSuccess = run;
      else if (!run.lock_skipped && !run.paused) this.failures++;
    }
    const start = Date.parse(run.start);
    this.starts.push(start);
    if (this.now - start <= DAY_MS) this.runs24h++;
    // Every run written before this one ended before it (give or take RECORD_DELAY_MS), so started over a
    // day ago. (A run that started within the day ended within it: its end need not be read.)
    else if (this.now - Date.parse(run.end) > DAY_MS + RECORD_DELAY_MS) this.dayCovered = true;
    if (!this.neverEnded && run.never_ended?.length) this.neverEnded = run.never_ended.at(-1);
    return !(this.lastSuccess && this.dayCovered);
  }

  /** The summary of the runs added; `unread`: older runs were left unread that it wanted. */
  summary(unread: boolean): JobSummary | undefined {
    const last = this.newest;
    if (!last) return undefined;
    return {
      job: this.job,
      last_start: last.start,
      last_result: resultOf(last),
      last_verdict: verdictOf(last),
      last_exit: last.exit,
      last_duration_ms: last.duration_ms,
      last_success: this.lastSuccess?.start ?? null,
      consecutive_failures: this.failures,
      runs_24h: this.runs24h,
      counted_since: unread ? (this.oldest?.start ?? null) : null,
      failing: verdictOf(last) === 'failed',
      schedule: last.schedule ?? null,
      missed: null,
      paused: null,
      last_never_ended: this.neverEnded ?? null,
    };
  }
}

/** Sums up a job's runs (oldest first), all of them, as of `now`. */
export function summarizeJob(job: string, runs: readonly RunRecord[], now: number): JobSummary | undefined {
  const summary = new SummaryOfRuns(job, now);
  for (let i = runs.length - 1; i >= 0; i--) if (!summary.add(runs[i]!)) break;
  return summary.summary(false);
}

/** What `summarizeHistory` read of a history: the summary, and of the runs read the oldest, the newest and every start. */
export interface HistoryDigest {
  summary: JobSummary;
  oldest: RunRecord;
  newest: RunRecord;
  /** The start (ms) of each run read: `runs_24h` as time goes on. */
  starts: number[];
}

/**
 * A job's summary from no more of its history's end than it needs, and SUMMARY_BYTES at most. Only the
 * summary is kept of the runs read, not the runs (500 jobs: tens of thousands of records).
 */
export function summarizeHistory(stateDir: string, job: JobName, now: number, onDamaged?: (path: string, lines: number) => void): HistoryDigest | undefined {
  const summary = new SummaryOfRuns(job, now);
  const unread = visitRunsNewestFirst(stateDir, job, (run) => summary.add(run), SUMMARY_BYTES, onDamaged);
  const built = summary.summary(unread);
  const { newest, oldest, starts } = summary;
  return built && newest && oldest && { summary: built, oldest, newest, starts };
}

/** `3`, or `3+` when the streak goes back further than the runs read. */
export function failuresText(summary: JobSummary): string {
  return `${summary.consecutive_failures}${summary.counted_since && !summary.last_success ? '+' : ''}`;
}

/** The last success's start, `never`, or `before <start>` when none was among the runs read. */
export function lastSuccessText(summary: Pick<JobSummary, 'last_success' | 'counted_since'>): string {
  return summary.last_success ?? (summary.counted_since ? `before ${summary.counted_since}` : 'never');
}

/** `12`, or `12+` when the day goes back further than the runs read. */
export function runs24hText(summary: JobSummary, now: number): string {
  return `${summary.runs_24h}${summary.counted_since && now - Date.parse(summary.counted_since) <= DAY_MS ? '+' : ''}`;
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
