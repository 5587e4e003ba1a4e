// When a cron schedule fires, and what it says in words: croner computes the times (with cron's rule that
// a restricted day of month and day of week are ORed) and cronstrue the words; neither is ours to write.
import { Cron } from 'croner';
import cronstrue from 'cronstrue';

/** The five fields cron's @keywords stand for; @reboot has none. */
const KEYWORD_FIELDS: Readonly<Record<string, string>> = {
  yearly: '0 0 1 1 *',
  annually: '0 0 1 1 *',
  monthly: '0 0 1 * *',
  weekly: '0 0 * * 0',
  daily: '0 0 * * *',
  midnight: '0 0 * * *',
  hourly: '0 * * * *',
};

/** The five fields of a schedule cron took (scheduleProblem passed), or undefined for @reboot. */
function fieldsOf(schedule: string): string | undefined {
  return schedule.startsWith('@') ? KEYWORD_FIELDS[schedule.slice(1).toLowerCase()] : schedule;
}

function cronOf(fields: string, timeZone: string | undefined): Cron {
  return new Cron(fields, { mode: '5-part', domAndDow: false, ...(timeZone ? { timezone: timeZone } : {}) });
}

/** The schedule in words: `At 00:01`, `Every 5 minutes`, `At every reboot`. */
export function describeSchedule(schedule: string): string {
  const fields = fieldsOf(schedule);
  if (!fields) return 'At every reboot';
  return cronstrue.toString(fields, { use24HourTimeFormat: true });
}

/** The next `count` start times after `after`, in the zone cron uses for the line (CRON_TZ, else the host's). */
export function nextRuns(schedule: string, after: Date, count: number, timeZone?: string): Date[] {
  const fields = fieldsOf(schedule);
  return fields ? cronOf(fields, timeZone).nextRuns(count, after) : [];
}

/** The shortest gap between two starts over the coming `runs` starts (ms), or undefined for @reboot. */
export function shortestInterval(schedule: string, after: Date, timeZone?: string, runs = 50): number | undefined {
  const times = nextRuns(schedule, after, runs, timeZone).map((date) => date.getTime());
  if (times.length < 2) return undefined;
  return Math.min(...times.slice(1).map((time, i) => time - times[i]!));
}

const MINUTE_MS = 60_000;

/** How late a start may be before it counts as missed: a tenth of the interval, between 1 and 30 minutes. */
function graceAt(start: Date, following: Date): number {
  return Math.min(30 * MINUTE_MS, Math.max(MINUTE_MS, (following.getTime() - start.getTime()) / 10));
}

/**
 * The latest time the next start after `after` may happen: the next scheduled start plus its grace (cron
 * starts late on a busy host). Undefined for @reboot, which has no next start.
 */
export function deadlineAfter(schedule: string, after: Date, timeZone?: string): Date | undefined {
  const [next, following] = nextRuns(schedule, after, 2, timeZone);
  return next && following ? new Date(next.getTime() + graceAt(next, following)) : undefined;
}

/** A run's start counts for a scheduled time if it came at most this much before it (clocks, cron's second). */
const EARLY_MS = MINUTE_MS;

/**
 * The scheduled start that passed, with its grace, without a run: the latest start whose grace is over
 * by `now`, if no run started since (`lastStartMs`) and the job was known then (`knownSinceMs`: a line
 * added to a crontab this morning did not miss last night). `graceMs` overrides the schedule's own grace.
 */
export function missedStart(schedule: string, now: Date, lastStartMs: number | undefined, knownSinceMs: number, timeZone?: string, graceMs?: number): Date | undefined {
  const fields = fieldsOf(schedule);
  if (!fields) return undefined;
  const cron = cronOf(fields, timeZone);
  // The latest start whose grace is over: look back far enough for the longest grace, then keep those due.
  const recent = cron.previousRuns(3, new Date(now.getTime() - (graceMs ?? 0))).filter((start) => {
    const following = cron.nextRun(start);
    return following !== null && start.getTime() + (graceMs ?? graceAt(start, following)) <= now.getTime();
  });
  const due = recent[0];
  if (!due || due.getTime() < knownSinceMs) return undefined;
  return lastStartMs !== undefined && lastStartMs >= due.getTime() - EARLY_MS ? undefined : due;
}
