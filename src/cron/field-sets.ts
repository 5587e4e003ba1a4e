// What cron makes of the five time fields of a schedule it took (scheduleProblem passed): the values each
// field selects, as Vixie cron sets them, so the schedule can be handed to croner in a form it accepts.
import { FIELDS, type FieldRule } from './crontab.js';

const ELEMENT = /^(\*|[^-/]+(?:-[^-/]+)?)(?:\/(\d+))?$/;

/** The first and last value of an element's span (`*`, `N`, `N-M`), names read as cron reads them. */
function spanOf(span: string, rule: FieldRule): [number, number] {
  if (span === '*') return [rule.min, rule.max];
  const [low, high = low] = span.split('-').map((part) => {
    const index = rule.names?.indexOf(part.toLowerCase()) ?? -1;
    return index === -1 ? Number(part) : index + (rule.min === 1 ? 1 : 0);
  });
  return [low!, high!];
}

/**
 * The fields with each step that reaches past the end of its range dropped (`*\/61` in the minutes is
 * minute 0): cron takes such a step and runs the range's first value only; croner refuses it.
 */
export function withinRangeSteps(fields: string): string {
  return fields
    .split(' ')
    .map((field, i) =>
      field
        .split(',')
        .map((element) => {
          const [, span, step] = ELEMENT.exec(element) ?? [];
          if (span === undefined || step === undefined) return element;
          const [low, high] = spanOf(span, FIELDS[i]!);
          return low + Number(step) > high ? String(low) : element;
        })
        .join(','),
    )
    .join(' ');
}

/** The values one field selects. */
function valuesOf(field: string, rule: FieldRule): Set<number> {
  const values = new Set<number>();
  for (const element of field.split(',')) {
    const [, span, step = '1'] = ELEMENT.exec(element) ?? [];
    if (span === undefined) continue;
    const [low, high] = spanOf(span, rule);
    for (let value = Math.max(low, rule.min); value <= Math.min(high, rule.max); value += Number(step)) values.add(value);
  }
  return values;
}

/** The most days each month has (February's leap day counts). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether the schedule can never run: its days of the month exist in none of its months (`0 0 31 2 *`)
 * and its day of week does not add days (a `*` day field makes cron require both). croner would search
 * for centuries to find no start.
 */
export function neverRuns(fields: string): boolean {
  const [, , days, months, weekdays] = fields.split(' ');
  if (!weekdays?.startsWith('*')) return false;
  const dayValues = valuesOf(days!, FIELDS[2]!);
  const earliest = Math.min(...dayValues);
  return ![...valuesOf(months!, FIELDS[3]!)].some((month) => earliest <= MONTH_DAYS[month - 1]!);
}

/** Whether each value of a field is selected, by value. */
function selected(field: string, rule: FieldRule): boolean[] {
  const flags = new Array<boolean>(rule.max + 1).fill(false);
  for (const value of valuesOf(field, rule)) flags[value] = true;
  return flags;
}

/** The calendar walked to find the closest two days a schedule runs: eight years, so two leap days (29 February). */
const WALK_DAYS = 8 * 366;

const closest = new Map<string, number | undefined>();

/**
 * The fewest days between two days the schedule runs, from 1 January 2024 (a Monday) on; undefined when
 * under two. Found once per set of day fields: few crontabs have more than a handful.
 */
function closestDays(days: string, months: string, weekdays: string): number | undefined {
  const key = `${days} ${months} ${weekdays}`;
  if (closest.has(key)) return closest.get(key);
  const [dayOk, monthOk, weekdayOk] = [selected(days, FIELDS[2]!), selected(months, FIELDS[3]!), selected(weekdays, FIELDS[4]!)];
  if (weekdayOk[7]) weekdayOk[0] = true;
  // Vixie cron: when either day field starts with *, a day must match both; else either.
  const both = days.startsWith('*') || weekdays.startsWith('*');
  let [year, month, day, weekday] = [2024, 1, 1, 1];
  let [previous, fewest] = [-1, Infinity];
  for (let index = 0; index < WALK_DAYS && fewest > 1; index++) {
    const runs = monthOk[month] && (both ? dayOk[day] && weekdayOk[weekday] : dayOk[day] || weekdayOk[weekday]);
    if (runs) {
      if (previous >= 0) fewest = Math.min(fewest, index - previous);
      previous = index;
    }
    weekday = (weekday + 1) % 7;
    const length = month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : MONTH_DAYS[month - 1]!;
    if (++day > length) [day, month] = [1, month + 1];
    if (month > 12) [month, year] = [1, year + 1];
  }
  const found = fewest === Infinity ? undefined : fewest;
  closest.set(key, found);
  return found;
}

const DAY_MINUTES = 24 * 60;

/**
 * The shortest time between two starts, in minutes as the clock reads (a day shortened by a change to
 * summer time is not counted), or undefined when the schedule runs less than twice in eight years. From
 * the fields alone: a walk of croner's next starts costs a millisecond a schedule, ten seconds for a
 * crontab of 10,000 lines.
 */
export function shortestGapMinutes(fields: string): number | undefined {
  if (!gaps.has(fields)) gaps.set(fields, gapOf(fields));
  return gaps.get(fields);
}

/** Each schedule's gap, found once: a crontab of 10,000 like lines finds one. */
const gaps = new Map<string, number | undefined>();

function gapOf(fields: string): number | undefined {
  const [minutes, hours, days, months, weekdays] = fields.split(' ');
  if (weekdays === undefined) return undefined;
  const minuteValues = [...valuesOf(minutes!, FIELDS[0]!)].sort((a, b) => a - b);
  const hourValues = [...valuesOf(hours!, FIELDS[1]!)].sort((a, b) => a - b);
  const times = hourValues.flatMap((hour) => minuteValues.map((minute) => hour * 60 + minute));
  if (times.length === 0) return undefined;
  let gap = Infinity;
  for (let i = 1; i < times.length; i++) gap = Math.min(gap, times[i]! - times[i - 1]!);
  const dayGap = closestDays(days!, months!, weekdays);
  if (dayGap !== undefined) gap = Math.min(gap, dayGap * DAY_MINUTES - times.at(-1)! + times[0]!);
  return gap === Infinity ? undefined : gap;
}
