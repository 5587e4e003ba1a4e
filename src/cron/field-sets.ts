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
