// The one join of the host's crontabs with what cronwrap remembers, for `check`, `status` and the live view.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { badNameProblem, cronwrapUse } from '../config/cronwrap-use.js';
import { ignoredProblem, readCronTree } from '../cron/sources.js';
import { historyJobs, readNewestRuns, type RunRecord } from '../state/history.js';
import { startedRuns } from '../state/running.js';
import type { JobName } from '../util/job-name.js';
import { ownLine, type LineRun, type Viewer } from './own-lines.js';

/** What `cronwrap check` knows of a job: its schedule, since when, and its last run. */
export interface WatchedJob {
  job: JobName;
  schedule: string;
  timeZone: string | undefined;
  /** Where the schedule comes from: `file:line` of the crontab, or the job's history. */
  source: string;
  command: string | undefined;
  /** Since when the job is known to be scheduled (ms): the crontab file's change, or its first recorded run. */
  knownSinceMs: number;
  lastStartMs: number | undefined;
  log: string | undefined;
  /** How its crontab line starts it (cronwrap's arguments there, the environment cron gives it); undefined for a job known from its history. */
  line: LineRun | undefined;
}

export interface Watched {
  /** Every job of the viewer's with a known schedule, by name. */
  jobs: WatchedJob[];
  /**
   * `file:line: why` of the crontab lines whose job name cronwrap refuses (never joined, never a path), and
   * `file: why` of the files cron ignores that run cronwrap (their lines are no schedule: never MISSED).
   */
  refused: string[];
}

type RunFacts = Pick<WatchedJob, 'knownSinceMs' | 'lastStartMs' | 'log'>;

const NO_RUNS: RunFacts = { knownSinceMs: Infinity, lastStartMs: undefined, log: undefined };

/** What a job's runs (oldest first) tell of it: since when it ran, its last start and log. */
function runFacts(runs: readonly RunRecord[]): RunFacts {
  const [first, last] = [runs[0], runs.at(-1)];
  return first && last ? { knownSinceMs: Date.parse(first.start), lastStartMs: Date.parse(last.start), log: last.log } : NO_RUNS;
}

/**
 * Every job of the viewer's with a known schedule: its crontab lines that run a job under cronwrap and
 * record in `stateDir` (the schedule there wins: it is what cron does now; other users' lines are theirs,
 * see own-lines.ts), and the jobs of the history whose last run recorded its schedule. Each is joined with
 * its own runs by name, whether or not they recorded a schedule. `runsOf` gives a job's runs (oldest
 * first) to a caller that has read them already; its last run alone is enough (when a job has run, the
 * start of its first run decides nothing: the last start is later). `now` (wall-clock ms) tells a running
 * mark being written from a damaged one.
 */
export function watchedJobs(root: string, stateDir: string, viewer: Viewer, now: number, runsOf = (job: JobName) => readNewestRuns(stateDir, job, 1)): Watched {
  const jobs = new Map<JobName, WatchedJob>();
  const ran = new Map<JobName, RunFacts>();
  // A run in progress, or one whose cronwrap was killed, has no history record yet but did start: its
  // scheduled start is not missed.
  const started = new Map<JobName, number>();
  for (const mark of startedRuns(stateDir, now)) started.set(mark.job, Math.max(started.get(mark.job) ?? -Infinity, mark.startMs));
  const lastStart = (job: JobName, recorded: number | undefined) => {
    const marked = started.get(job);
    return marked === undefined ? recorded : Math.max(marked, recorded ?? -Infinity);
  };
  for (const job of historyJobs(stateDir)) {
    const runs = runsOf(job);
    const recorded = runFacts(runs);
    const facts = { ...recorded, lastStartMs: lastStart(job, recorded.lastStartMs) };
    ran.set(job, facts);
    const schedule = runs.at(-1)?.schedule;
    if (schedule) jobs.set(job, { job, schedule, timeZone: undefined, source: 'history', command: undefined, ...facts, line: undefined });
  }
  const refused: string[] = [];
  // Each crontab's change time, read once however many lines it has.
  const changedAt = new Map<string, number>();
  const changeOf = (file: string) => {
    let changed = changedAt.get(file);
    if (changed === undefined) {
      try {
        changed = statSync(join(root, file)).mtimeMs;
      } catch {
        changed = 0; // read a moment ago; gone now: count it as known from the start
      }
      changedAt.set(file, changed);
    }
    return changed;
  };
  const tree = readCronTree(root);
  for (const file of tree.ignored) if (file.entries.some((entry) => cronwrapUse(entry.command, viewer.subcommands))) refused.push(ignoredProblem(file));
  for (const entry of tree.entries) {
    const use = cronwrapUse(entry.command, viewer.subcommands);
    if (use && 'badName' in use) refused.push(`${entry.file}:${entry.line}: ${badNameProblem(use.badName)}`);
    if (!use || !('job' in use)) continue;
    const line = ownLine(entry, use.job, stateDir, viewer);
    if (!line) continue;
    const known = jobs.get(use.job) ?? ran.get(use.job) ?? NO_RUNS;
    const changed = changeOf(entry.file);
    jobs.set(use.job, {
      job: use.job,
      schedule: entry.schedule,
      timeZone: entry.env.CRON_TZ,
      source: `${entry.file}:${entry.line}`,
      command: entry.command,
      knownSinceMs: Math.min(changed, known.knownSinceMs),
      lastStartMs: lastStart(use.job, known.lastStartMs),
      log: known.log,
      line,
    });
  }
  return { jobs: [...jobs.values()].sort((a, b) => a.job.localeCompare(b.job)), refused };
}
