import { orderSummaries, summarizeHistory, withMissed, type HistoryDigest, type JobSummary } from '../jobs/job-summary.js';
import { pauseWords } from '../jobs/pause-words.js';
import type { Viewer } from '../jobs/own-lines.js';
import { watchedJobs, type WatchedJob } from '../jobs/watched-jobs.js';
import { loadSchedule } from '../remote/load.js';
import { historyJobs, historySignature } from '../state/history.js';
import { jobsWithState } from '../state/job-state.js';
import { runningRuns } from '../state/running.js';
import type { JobName } from '../util/job-name.js';

/** What the page shows of a job, most pressing first: missed, failing, running, warning, ok, skipped. */
export type JobState = 'missed' | 'failing' | 'running' | 'paused' | 'warning' | 'ok' | 'skipped' | 'scheduled';

/** One row of the live view's job list (`/api/jobs`): the `status` summary, its state, and what comes next. */
export interface JobRow extends Omit<JobSummary, 'last_start' | 'last_result' | 'last_verdict' | 'last_exit' | 'last_duration_ms'> {
  state: JobState;
  last_start: string | null;
  last_result: string | null;
  last_verdict: JobSummary['last_verdict'] | null;
  last_exit: number | null;
  last_duration_ms: number | null;
  /** When the run in progress started, if one is. */
  running_since: string | null;
  next_run: string | null;
}

/** What is kept of a job's history between requests, while its file stays the same: enough to sum it up and to watch its schedule. */
interface Digest extends HistoryDigest {
  signature: string;
}

const DAY_MS = 24 * 3600 * 1000;
/** The most refused crontab lines one refresh of the board tells on stderr. */
const MAX_TOLD_PER_POLL = 10;

function stateOf(summary: JobSummary, running: boolean): JobState {
  if (summary.missed) return 'missed';
  if (running) return 'running';
  if (summary.paused) return 'paused';
  if (summary.failing) return 'failing';
  if (summary.last_verdict === 'skipped') return 'skipped';
  // A warning by --warn-exit or a healed failure, or a success far from its usual duration.
  return summary.last_verdict === 'warning' || summary.last_result.includes('duration warning') ? 'warning' : 'ok';
}

/**
 * The job list, read from the state directory and the host's crontabs at each request. A history is
 * read again only when its file changed (its inode, size or mtime), and then only from its end, as far as
 * its summary needs; only its digest is kept, not its runs.
 */
export class JobBoard {
  private readonly digests = new Map<JobName, Digest>();
  /** The crontab lines whose job name cronwrap refuses, told once each. */
  private told = new Set<string>();

  constructor(
    private readonly stateDir: string,
    private readonly cronRoot: string,
    private readonly viewer: Viewer,
    private readonly warn: (line: string) => void,
  ) {}

  rows(now: number): JobRow[] {
    const jobs = historyJobs(this.stateDir);
    for (const name of this.digests.keys()) if (!jobs.includes(name)) this.digests.delete(name);
    const digests = new Map(jobs.flatMap((job) => {
      const digest = this.digest(job, now);
      return digest ? [[job, digest] as const] : [];
    }));
    // watchedJobs wants the oldest and newest runs of each job only.
    const watched = watchedJobs(this.cronRoot, this.stateDir, this.viewer, now, (job) => {
      const digest = digests.get(job);
      return digest ? [digest.oldest, digest.newest] : [];
    });
    // Each refused line is told once while it stays; what is told is forgotten once the line goes, and
    // a poll tells at most a few: a user rewriting a crontab every poll grows neither memory nor the journal.
    const untold = watched.refused.filter((line) => !this.told.has(line));
    for (const line of untold.slice(0, MAX_TOLD_PER_POLL)) this.warn(line);
    if (untold.length > MAX_TOLD_PER_POLL) this.warn(`and ${untold.length - MAX_TOLD_PER_POLL} more crontab lines cronwrap refuses (cronwrap jobs lists them)`);
    this.told = new Set(watched.refused);
    const running = new Map(runningRuns(this.stateDir, now).map((mark) => [mark.job, mark.startMs]));
    const byJob = new Map(watched.jobs.map((job) => [job.job, job]));
    const pauses = jobsWithState(this.stateDir, 'pauses'); // one listing, not a read per job
    const paused = (job: JobName) => (pauses.has(job) ? pauseWords(this.stateDir, job, now) : null);
    const rows = [...digests].map(([job, digest]) => {
      const counted = { ...digest.summary, runs_24h: digest.starts.filter((start) => now - start <= DAY_MS).length, paused: paused(job) };
      const summary = withMissed(counted, byJob.get(job), now);
      return this.row(summary, byJob.get(job), running.get(job), now);
    });
    // Jobs with no run recorded yet: a crontab runs them under cronwrap, or their first run is going on.
    const fresh = [...new Set([...byJob.keys(), ...running.keys()])].filter((job) => !digests.has(job));
    return orderSummaries([...rows, ...fresh.map((job) => this.freshRow(job, byJob.get(job), running.get(job), paused(job), now))]);
  }

  private digest(job: JobName, now: number): Digest | undefined {
    const signature = historySignature(this.stateDir, job);
    if (signature === undefined) return undefined;
    const kept = this.digests.get(job);
    if (kept?.signature === signature) return kept;
    const read = summarizeHistory(this.stateDir, job, now);
    if (!read) return undefined;
    const digest: Digest = { ...read, signature };
    this.digests.set(job, digest);
    return digest;
  }

  private row(summary: JobSummary, watched: WatchedJob | undefined, runningSince: number | undefined, now: number): JobRow {
    return {
      ...summary,
      state: stateOf(summary, runningSince !== undefined),
      running_since: runningSince === undefined ? null : new Date(runningSince).toISOString(),
      next_run: nextRun(watched, now),
    };
  }

  private freshRow(job: JobName, watched: WatchedJob | undefined, runningSince: number | undefined, paused: string | null, now: number): JobRow {
    const missed = watched && !paused && loadSchedule().missedStart(watched.schedule, new Date(now), undefined, watched.knownSinceMs, watched.timeZone);
    return {
      job,
      state: missed ? 'missed' : runningSince !== undefined ? 'running' : paused ? 'paused' : 'scheduled',
      last_start: null,
      last_result: null,
      last_verdict: null,
      last_exit: null,
      last_duration_ms: null,
      last_success: null,
      consecutive_failures: 0,
      runs_24h: 0,
      counted_since: null,
      failing: false,
      schedule: watched?.schedule ?? null,
      missed: missed ? missed.toISOString() : null,
      paused,
      last_never_ended: null,
      running_since: runningSince === undefined ? null : new Date(runningSince).toISOString(),
      next_run: nextRun(watched, now),
    };
  }
}

function nextRun(watched: WatchedJob | undefined, now: number): string | null {
  if (!watched) return null;
  return loadSchedule().nextRuns(watched.schedule, new Date(now), 1, watched.timeZone)[0]?.toISOString() ?? null;
}
