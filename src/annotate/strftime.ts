// strftime formats as `ts` (moreutils) takes them, so `-t '%Y-%m-%d %H:%M:%.S'` from an old crontab works.
import { UsageError } from '../errors.js';
import { DAY_NAMES, DAYS, MONTH_NAMES, MONTHS, offsetText, pad2, zoneAbbreviation } from './calendar.js';

/** A moment: the local date (to the millisecond) and the microseconds since the epoch. */
interface Moment {
  date: Date;
  us: number;
}

type Part = (moment: Moment) => string;

const space2 = (n: number) => String(n).padStart(2, ' ');
const hour12 = (d: Date) => d.getHours() % 12 || 12;
const micros = ({ us }: Moment) => String(((us % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
const epochSeconds = ({ us }: Moment) => String(Math.floor(us / 1_000_000));

function dayOfYear(d: Date): number {
  return Math.round((Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) - Date.UTC(d.getFullYear(), 0, 1)) / 86_400_000) + 1;
}

/** The conversions of C's strftime in the C locale, plus ts's %.S, %.s and %.T with microseconds. */
function conversions(zone: (d: Date) => string): Record<string, Part> {
  const table: Record<string, Part> = {
    a: ({ date }) => DAYS[date.getDay()]!,
    A: ({ date }) => DAY_NAMES[date.getDay()]!,
    b: ({ date }) => MONTHS[date.getMonth()]!,
    B: ({ date }) => MONTH_NAMES[date.getMonth()]!,
    C: ({ date }) => pad2(Math.floor(date.getFullYear() / 100)),
    d: ({ date }) => pad2(date.getDate()),
    e: ({ date }) => space2(date.getDate()),
    H: ({ date }) => pad2(date.getHours()),
    I: ({ date }) => pad2(hour12(date)),
    j: ({ date }) => String(dayOfYear(date)).padStart(3, '0'),
    k: ({ date }) => space2(date.getHours()),
    l: ({ date }) => space2(hour12(date)),
    m: ({ date }) => pad2(date.getMonth() + 1),
    M: ({ date }) => pad2(date.getMinutes()),
    p: ({ date }) => (date.getHours() < 12 ? 'AM' : 'PM'),
    P: ({ date }) => (date.getHours() < 12 ? 'am' : 'pm'),
    s: epochSeconds,
    S: ({ date }) => pad2(date.getSeconds()),
    t: () => '\t',
    u: ({ date }) => String(date.getDay() || 7),
    w: ({ date }) => String(date.getDay()),
    y: ({ date }) => pad2(date.getFullYear() % 100),
    Y: ({ date }) => String(date.getFullYear()),
    z: ({ date }) => offsetText(date, false),
    Z: ({ date }) => zone(date),
    '%': () => '%',
    '.S': (m) => `${pad2(m.date.getSeconds())}.${micros(m)}`,
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

/** Compiles `pattern`; an unknown conversion, or one that would break a record (`%n`), is a UsageError. */
export function compileStrftime(option: string, pattern: string): Strftime {
  const table = conversions(zoneAbbreviation());
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
 * Microseconds of wall-clock time: the monotonic clock's fractions laid on the wall clock's milliseconds.
 * When the two part (the wall clock was set), the wall clock wins and the fractions start again from it.
 */
export function microClock(): (wallMs: number, monoMs: number) => number {
  let offset = Number.NaN;
  return (wallMs, monoMs) => {
    let ms = monoMs + offset;
    if (!(ms >= wallMs && ms < wallMs + 1)) {
      offset = wallMs - monoMs;
      ms = wallMs;
    }
    return Math.floor(ms * 1000);
  };
}
