// strftime formats as `ts` (moreutils) takes them, so `-t '%Y-%m-%d %H:%M:%.S'` from an old crontab works.
import { UsageError } from '../errors.js';
import type { WallAnchor } from '../util/monotonic.js';
import { DAY_NAMES, DAYS, MONTH_NAMES, MONTHS, offsetText, pad2, zoneAbbreviation } from './calendar.js';

/** A moment (or a span): its Date (to the millisecond) and its microseconds since the epoch. */
interface Moment {
  date: Date;
  us: number;
}

type Part = (moment: Moment) => string;

const space2 = (n: number) => String(n).padStart(2, ' ');
const micros = ({ us }: Moment) => String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
const epochSeconds = ({ us }: Moment) => String(Math.floor(us / 1_000_000));

type DatePart = 'FullYear' | 'Month' | 'Date' | 'Day' | 'Hours' | 'Minutes' | 'Seconds';

/** How a Date is read: in local time for a moment, in UTC for a span (as ts -s and -i read it, with gmtime). */
interface Fields {
  year(d: Date): number;
  month(d: Date): number;
  day(d: Date): number;
  weekday(d: Date): number;
  hours(d: Date): number;
  minutes(d: Date): number;
  seconds(d: Date): number;
  offset(d: Date): string;
  zone(d: Date): string;
}

function fields(utc: boolean): Fields {
  const read = (part: DatePart) => {
    const method = utc ? (`getUTC${part}` as const) : (`get${part}` as const);
    return (d: Date) => d[method]();
  };
  return {
    year: read('FullYear'),
    month: read('Month'),
    day: read('Date'),
    weekday: read('Day'),
    hours: read('Hours'),
    minutes: read('Minutes'),
    seconds: read('Seconds'),
    offset: utc ? () => '+0000' : (d) => offsetText(d, false),
    zone: utc ? () => 'UTC' : zoneAbbreviation(),
  };
}

function dayOfYear(f: Fields, d: Date): number {
  return Math.round((Date.UTC(f.year(d), f.month(d), f.day(d)) - Date.UTC(f.year(d), 0, 1)) / 86_400_000) + 1;
}

/** The conversions of C's strftime in the C locale, plus ts's %.S, %.s and %.T with microseconds. */
function conversions(f: Fields): Record<string, Part> {
  const table: Record<string, Part> = {
    a: ({ date }) => DAYS[f.weekday(date)]!,
    A: ({ date }) => DAY_NAMES[f.weekday(date)]!,
    b: ({ date }) => MONTHS[f.month(date)]!,
    B: ({ date }) => MONTH_NAMES[f.month(date)]!,
    C: ({ date }) => pad2(Math.floor(f.year(date) / 100)),
    d: ({ date }) => pad2(f.day(date)),
    e: ({ date }) => space2(f.day(date)),
    H: ({ date }) => pad2(f.hours(date)),
    I: ({ date }) => pad2(f.hours(date) % 12 || 12),
    j: ({ date }) => String(dayOfYear(f, date)).padStart(3, '0'),
    k: ({ date }) => space2(f.hours(date)),
    l: ({ date }) => space2(f.hours(date) % 12 || 12),
    m: ({ date }) => pad2(f.month(date) + 1),
    M: ({ date }) => pad2(f.minutes(date)),
    p: ({ date }) => (f.hours(date) < 12 ? 'AM' : 'PM'),
    P: ({ date }) => (f.hours(date) < 12 ? 'am' : 'pm'),
    s: epochSeconds,
    S: ({ date }) => pad2(f.seconds(date)),
    t: () => '\t',
    u: ({ date }) => String(f.weekday(date) || 7),
    w: ({ date }) => String(f.weekday(date)),
    y: ({ date }) => pad2(f.year(date) % 100),
    Y: ({ date }) => String(f.year(date)),
    z: ({ date }) => f.offset(date),
    Z: ({ date }) => f.zone(date),
    '%': () => '%',
    '.S': (m) => `${pad2(f.seconds(m.date))}.${micros(m)}`,
    '.s': (m) => `${epochSeconds(m)}.${micros(m)}`,
  };
  const T: Part = (m) => `${table.H!(m)}:${table.M!(m)}:${table.S!(m)}`;
  return {
    ...table,
    T,
    '.T': (m) => `${T(m)}.${micros(m)}`,
    D: (m) => `${table.m!(m)}/${table.d!(m)}/${table.y!(m)}`,
    F: (m) => `${table.Y!(m)}-${table.m!(m)}-${table.d!(m)}`,
    R: (m) => `${table.H!(m)}:${table.M!(m)}`,
    r: (m) => `${table.I!(m)}:${table.M!(m)}:${table.S!(m)} ${table.p!(m)}`,
    c: (m) => `${table.a!(m)} ${table.b!(m)} ${table.e!(m)} ${T(m)} ${table.Y!(m)}`,
  };
}

/** A compiled strftime format of a time in microseconds, and whether it shows them (`%.S`, `%.s`, `%.T`). */
export interface Strftime {
  format: (us: number) => string;
  micro: boolean;
}

/**
 * Compiles `pattern` for a time in local time, or, with `span`, for a span of time read as gmtime reads it
 * (`ts -s '%H:%M:%.S'`: hours, minutes and seconds of the span). An unknown conversion, or one that would
 * break a record (`%n`), is a UsageError.
 */
export function compileStrftime(option: string, pattern: string, span = false): Strftime {
  const table = conversions(fields(span));
  const parts: Part[] = [];
  let micro = false;
  for (let i = 0; i < pattern.length; ) {
    const at = pattern.indexOf('%', i);
    if (at === -1) {
      const text = pattern.slice(i);
      parts.push(() => text);
      break;
    }
    if (at > i) {
      const text = pattern.slice(i, at);
      parts.push(() => text);
    }
    const name = pattern[at + 1] === '.' ? pattern.slice(at + 1, at + 3) : pattern.slice(at + 1, at + 2);
    const part = table[name];
    if (!part) {
      const why = name === 'n' ? 'a newline would split the record' : 'not a conversion cronwrap knows';
      throw new UsageError(`${option}: %${name} in '${pattern}': ${why}; use strftime conversions such as %Y-%m-%d %H:%M:%.S`);
    }
    micro ||= name.startsWith('.');
    parts.push(part);
    i = at + 1 + name.length;
  }
  return {
    micro,
    format: (us) => {
      const moment = { date: new Date(Math.floor(us / 1000)), us };
      return parts.map((part) => part(moment)).join('');
    },
  };
}

/**
 * Microseconds of wall-clock time: a precise wall time (`anchor`) carried on by the monotonic clock. Each
 * reading is checked against the wall clock's milliseconds (`wallMs`, Date.now()); only when the two part by
 * more than a millisecond (the clock was stepped, faketime jumped) does the offset move, by the least that
 * brings it back into `wallMs`'s millisecond. So the stamps follow the wall clock, never go backwards between
 * steps, and their microseconds are real rather than the wall clock's `000`. A reading that is not `tight`
 * (the process was preempted between the two clocks) is carried on, never judged: its clocks disagree by the
 * preemption, not by a step.
 */
export function microClock(anchor: WallAnchor): (wallMs: number, monoMs: number, tight: boolean) => number {
  let offset = anchor.wallMs - anchor.monoMs;
  return (wallMs, monoMs, tight) => {
    const ms = monoMs + offset;
    if (tight && ms < wallMs - 1) offset = wallMs - monoMs;
    else if (tight && ms >= wallMs + 2) offset = wallMs + 0.999 - monoMs;
    return Math.floor((monoMs + offset) * 1000);
  };
}
