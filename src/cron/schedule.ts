// When a cron schedule fires, and what it says in words: croner computes the times (with Vixie cron's rule
// for the two day fields) and cronstrue the words; neither is ours to write.
// Nothing here throws: a schedule or zone croner cannot take (a crontab's, or a damaged history's) has no
// times and is described as written, so one line never stops the others being read.
import { Cron } from 'croner';
import cronstrue from 'cronstrue';
import { knownTimeZone } from './crontab.js';
import { neverRuns, shortestGapMinutes, withinRangeSteps } from './field-sets.js';

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

/**
 * The croners made last, by zone and schedule: a crontab of 10,000 like lines makes one. Only two are
 * kept, for a croner holds 80 KB (its years): 10,000 different schedules kept cost a gigabyte, and even 16
 * kept cost 10,000 different ones half as much time again in collection as 2 do.
 */
const crons = new Map<string, Cron | undefined>();
const CRONS_KEPT = 2;

/** croner's form of a schedule, or undefined when it never runs (@reboot, 31 February) or croner cannot take it. */
function cronOf(schedule: string, timeZone: string | undefined): Cron | undefined {
  const key = `${timeZone ?? ''}\n${schedule}`;
  if (crons.has(key)) return crons.get(key);
  const fields = fieldsOf(schedule);
  let cron: Cron | undefined;
  if (fields && (!timeZone || knownTimeZone(timeZone))) {
    try {
      if (!neverRuns(fields)) cron = new Cron(withinRangeSteps(fields), { mode: '5-part', domAndDow: bothDays(fields), ...(timeZone ? { timezone: timeZone } : {}) });
    } catch {
      // a schedule croner refuses has no times here; the crontab reader reported what cron refuses
    }
  }
  if (crons.size >= CRONS_KEPT) crons.delete(crons.keys().next().value!);
  crons.set(key, cron);
  return cron;
}

/**
 * Whether a day must match both day fields: Vixie cron's rule when either starts with * (`*\/2` too).
 * croner's own either-or already lets a bare `*` leave the other field alone.
 */
function bothDays(fields: string): boolean {
  const [, , days = '', , weekdays = ''] = fields.split(' ');
  return (days.startsWith('*') && days !== '*') || (weekdays.startsWith('*') && weekdays !== '*');
}

/** What `compute` gives, or `fallback` when croner throws on this schedule (it validates lazily). */
function timesOf<T>(schedule: string, timeZone: string | undefined, fallback: T, compute: (cron: Cron) => T): T {
  const cron = cronOf(schedule, timeZone);
  if (!cron) return fallback;
  try {
    return compute(cron);
  } catch {
    return fallback;
  }
}

const words = new Map<string, string>();

/** The schedule in words: `At 00:01`, `Every 5 minutes`, `At every reboot`; as written when cronstrue cannot say it. */
export function describeSchedule(schedule: string): string {
  let said = words.get(schedule);
  if (said === undefined) {
    const fields = fieldsOf(schedule);
    try {
      said = fields ? cronstrue.toString(withinRangeSteps(fields), { use24HourTimeFormat: true }) : schedule.toLowerCase() === '@reboot' ? 'At every reboot' : schedule;
    } catch {
      said = schedule;
    }
    words.set(schedule, said);
  }
  return said;
}

/** The next `count` start times after `after`, in the zone cron uses for the line (CRON_TZ, else the host's). */
export function nextRuns(schedule: string, after: Date, count: number, timeZone?: string): Date[] {
  return timesOf(schedule, timeZone, [], (cron) => cron.nextRuns(count, after));
}

const MINUTE_MS = 60_000;

/** The shortest time between two starts (ms) as the clock reads, or undefined for @reboot and what runs once. */
export function shortestInterval(schedule: string): number | undefined {
  const fields = fieldsOf(schedule);
  const minutes = fields === undefined ? undefined : shortestGapMinutes(fields);
  return minutes === undefined ? undefined : minutes * MINUTE_MS;
}

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
  // The latest start whose grace is over: look back far enough for the longest grace, then keep those due.
  const recent = timesOf(schedule, timeZone, [], (cron) =>
    cron.previousRuns(3, new Date(now.getTime() - (graceMs ?? 0))).filter((start) => {
      const following = cron.nextRun(start);
      return following !== null && start.getTime() + (graceMs ?? graceAt(start, following)) <= now.getTime();
    }),
  );
  const due = recent[0];
  if (!due || due.getTime() < knownSinceMs) return undefined;
  return lastStartMs !== undefined && lastStartMs >= due.getTime() - EARLY_MS ? undefined : due;
}
