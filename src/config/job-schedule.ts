import { readCronTree } from '../cron/sources.js';
import type { Settings } from './options.js';
import { cronwrapUse } from './cronwrap-use.js';

/** A job's schedule, the zone it is read in (CRON_TZ), and where it was found. */
export interface JobSchedule {
  schedule: string;
  timeZone: string | undefined;
  source: string;
}

/** The schedule of the crontab line that runs `job` under cronwrap, found as `cronwrap jobs` finds it (`subcommands`: the words of cronwrap's own commands). */
export function scheduleFromCrontabs(job: string, user: string, subcommands: readonly string[], root = '/'): JobSchedule | undefined {
  // Only a line that runs as this user can be this run's: another user's line naming the job must not
  // set its deadline (a user's crontab sorts before root's).
  const entry = readCronTree(root).entries.find((candidate) => {
    if (candidate.user !== user) return false;
    const use = cronwrapUse(candidate.command, subcommands);
    return use !== undefined && 'job' in use && use.job === job;
  });
  return entry ? { schedule: entry.schedule, timeZone: entry.env.CRON_TZ, source: `${entry.file}:${entry.line}` } : undefined;
}

/** `--schedule` (or `schedule` in the config), else the crontab line of `user` that runs the job (reading the host's crontabs: ~3 ms). */
export function jobSchedule(settings: Settings, job: string, user: string, subcommands: readonly string[]): JobSchedule | undefined {
  return settings.schedule ? { schedule: settings.schedule, timeZone: undefined, source: '--schedule' } : scheduleFromCrontabs(job, user, subcommands);
}
