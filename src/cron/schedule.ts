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

/**
 * The latest time the next start after `after` may happen: the next scheduled start plus a grace of a
 * tenth of the interval, at least a minute and at most half an hour (cron starts late on a busy host).
 * Undefined for @reboot, which has no next start.
 */
export function deadlineAfter(schedule: string, after: Date, timeZone?: string): Date | undefined {
  const [next, following] = nextRuns(schedule, after, 2, timeZone);
  if (!next || !following) return undefined;
  const grace = Math.min(30 * MINUTE_MS, Math.max(MINUTE_MS, (following.getTime() - next.getTime()) / 10));
  return new Date(next.getTime() + grace);
}
