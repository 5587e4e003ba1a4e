// Whether a job name an operator typed is one this host knows: `pause mysql-bakup` (a typo) must not
// answer "paused" while mysql-backup runs in the maintenance window.
import { cronwrapUse } from '../config/cronwrap-use.js';
import { readCronTree } from '../cron/sources.js';
import { readSystemdTimers } from '../cron/systemd-timers.js';
import { UsageError } from '../errors.js';
import { historyJobs } from '../state/history.js';
import { stateFileJobs } from '../state/job-state.js';
import { startedRuns } from '../state/running.js';
import { closestWords } from '../util/closest.js';
import { isJobName, type JobName } from '../util/job-name.js';
import { ownLine, type Viewer } from './own-lines.js';

/** Where job names are known from: the state directory, the crontabs under `root`, the config file's `[jobs.NAME]` sections. */
export interface KnownJobSources {
  stateDir: string;
  root: string;
  configJobs: readonly string[];
  /** Whose crontab lines count: another user's line naming a job makes no typo of root's a known job. */
  viewer: Viewer;
}

/** The jobs that ran or left state here (history, running marks, pauses, alerts...). */
function stateJobs(stateDir: string, now: number): string[] {
  return [...historyJobs(stateDir), ...stateFileJobs(stateDir), ...startedRuns(stateDir, now).map((mark) => mark.job)];
}

/** The jobs a crontab line or a systemd timer runs under cronwrap, named as cronwrap names them. */
function scheduledJobs(root: string, stateDir: string, viewer: Viewer): string[] {
  const lines = readCronTree(root).entries.flatMap((entry) => {
    const use = cronwrapUse(entry.command, viewer.subcommands);
    return use && 'job' in use && ownLine(entry, use.job, stateDir, viewer) ? [use.job] : [];
  });
  // Timers run as root unless they say otherwise: root's, as the inventory counts them.
  const timers = viewer.uid !== 0 ? [] : readSystemdTimers(root).timers.flatMap((timer) => {
    const use = timer.command === undefined ? undefined : cronwrapUse(timer.command, viewer.subcommands);
    return use && 'job' in use ? [use.job] : [];
  });
  return [...lines, ...timers];
}

/**
 * Refuses (a UsageError) a job never seen on this host (no history or state, no crontab line or timer
 * naming it, no config section), with the known names closest to it and how to force it. The crontabs
 * are read only when the state and config do not know the name.
 */
export function refuseUnknownJob(command: string, job: JobName, sources: KnownJobSources, now: number): void {
  const cheap = [...stateJobs(sources.stateDir, now), ...sources.configJobs.filter(isJobName)];
  if (cheap.includes(job)) return;
  const known = [...cheap, ...scheduledJobs(sources.root, sources.stateDir, sources.viewer)];
  if (known.includes(job)) return;
  const closest = closestWords(job, known);
  const guess = closest.length > 0 ? `Did you mean ${closest.join(' or ')}?` : 'cronwrap status lists the jobs that ran here, cronwrap jobs those the crontabs run.';
  throw new UsageError(
    `${command}: no job ${job} is known on this host (no run or state in ${sources.stateDir}, no crontab line or timer runs it, ` +
      `no [jobs.${job}] section in the config file). ${guess} If ${job} is right (a job yet to run), give --force: cronwrap ${command} ${job} --force`,
  );
}
