import dayjs from 'dayjs';
import { UsageError } from '../errors.js';
import { DAYS, MONTHS, offsetText, pad2, pad3, zoneAbbreviation } from './calendar.js';
import { compileStrftime, microClock } from './strftime.js';
import { literal } from '../util/check.js';
import type { WallAnchor } from '../util/monotonic.js';

const TIMESTAMP_NAMES = ['iso', 'utc', 'date', 'epoch', 'elapsed', 'delta'] as const;
const isTimestampName = literal(...TIMESTAMP_NAMES);
const isSpanName = literal('elapsed', 'delta');
type SpanName = 'elapsed' | 'delta';
export type TimestampStyle = (typeof TIMESTAMP_NAMES)[number] | { pattern: string } | { strftime: string } | { span: SpanName; strftime: string };

// `elapsed:FORMAT` and `delta:FORMAT` are `ts -s FORMAT` and `ts -i FORMAT`.
const SPAN_STYLE = /^(elapsed|delta):(.*)$/s;

// A pattern must hold a date or time token (YYYY, MM, DD, HH, hh, mm, ss, SSS, Z), so a typo such as `isoo`
// is an error rather than a stamp that says `isoo` on every line.
const DAYJS_TOKEN = /YY|MM|DD|HH|hh|mm|ss|SSS|Z/;

/**
 * Reads `--timestamp`: one of the named styles, a strftime format as `ts` takes it (it has a `%`), or a
 * dayjs pattern.
 */
export function parseTimestampStyle(option: string, value: string): TimestampStyle {
  if (isTimestampName(value)) return value;
  const span = SPAN_STYLE.exec(value);
  const name = span?.[1];
  if (span && isSpanName(name)) {
    const format = span[2] ?? '';
    if (!format.includes('%')) throw new UsageError(`${option}: '${value}': after '${name}:' give a ts/strftime format such as '%H:%M:%.S' or '%.s' (as ts -${name === 'elapsed' ? 's' : 'i'} takes it)`);
    compileStrftime(option, format, true);
    return { span: name, strftime: format };
  }
  if (value.includes('%')) {
    compileStrftime(option, value); // refused here, not at the first line
    return { strftime: value };
  }
  const tokens = value.replace(/\[[^\]]*\]/g, '');
  // dayjs knows milliseconds only: SSSSSS would print them twice, as fake microseconds.
  if (/S{4,}/.test(tokens)) throw new UsageError(`${option}: '${value}' asks for more than milliseconds, which dayjs patterns cannot give; for microseconds use a ts format such as '%H:%M:%.S'`);
  if (DAYJS_TOKEN.test(tokens)) return { pattern: value };
  throw new UsageError(
    `${option}: unknown style '${value}'; use ${TIMESTAMP_NAMES.join(', ')}, a ts/strftime format such as '%Y-%m-%d %H:%M:%.S' or a dayjs pattern such as 'YYYY-MM-DD HH:mm:ss'`,
  );
}

/** The stamp of one read: `first` for its first line, `rest` for the others (they differ only for `delta`). */
export interface ReadStamp {
  first: string;
  rest: string;
}

/** Turns a moment (wall-clock ms, monotonic ms) into the text that prefixes each line read at that moment. */
export interface Stamper {
  /** `tight`: the clocks were read together (util/monotonic.ts `readClocks`); false, a microsecond stamp judges no step by them. */
  stamp(wallMs: number, monoMs: number, tight?: boolean): ReadStamp;
  /** The stamp of a record that is not output (header, footer, a note): `delta` still counts from the last line. */
  note(wallMs: number, monoMs: number, tight?: boolean): string;
}

/** A stamper whose notes are stamped as its lines are: all but `delta`. */
function stamping(stamp: Stamper['stamp']): Stamper {
  return { stamp, note: (wallMs, monoMs, tight) => stamp(wallMs, monoMs, tight).first };
}

/** Local time with milliseconds and UTC offset: `2026-11-22T02:36:43.123+01:00`. */
export function localIso(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${pad3(d.getMilliseconds())}${offsetText(d)}`
  );
}

/** date(1)'s default look, as annotate.sh printed it: `Thu Sep  6 14:39:59 PDT 2012`. */
function dateLike(zoneName: (d: Date) => string): (ms: number) => string {
  return (ms) => {
    const d = new Date(ms);
    return (
      `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ` +
      `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${zoneName(d)} ${d.getFullYear()}`
    );
  };
}

/** `HH:MM:SS.mmm` for a span, as `ts -s` and `ts -i` print it (with milliseconds). */
export function formatSpan(ms: number): string {
  const total = Math.max(0, Math.floor(ms));
  const seconds = Math.floor(total / 1000);
  return `${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}.${pad3(total % 1000)}`;
}

/** Formats absolute times, computing the text at most once per millisecond (or per second for coarse styles). */
function cachedWallStamper(format: (ms: number) => string, resolutionMs: number): Stamper {
  let key = NaN;
  let cached: ReadStamp = { first: '', rest: '' };
  return stamping((wallMs) => {
    const k = Math.floor(wallMs / resolutionMs);
    if (k !== key) {
      key = k;
      const text = format(k * resolutionMs);
      cached = { first: text, rest: text };
    }
    return cached;
  });
}

/**
 * For JSON records: the absolute RFC 3339 time of now, when `style` is not one itself (elapsed, epoch,
 * date, a pattern); undefined for iso and utc, whose stamps already are.
 */
export function rfc3339Clock(style: TimestampStyle, now: () => number): (() => string) | undefined {
  if (style === 'iso' || style === 'utc') return undefined;
  const stamper = cachedWallStamper(localIso, 1);
  return () => stamper.note(now(), 0);
}

/** A ts/strftime format: with %.S, %.s or %.T real microseconds for each read, else text computed once a second. */
function strftimeStamper(pattern: string, anchor: () => WallAnchor): Stamper {
  const { format, micro } = compileStrftime('--timestamp', pattern);
  if (!micro) return cachedWallStamper((ms) => format(ms * 1000), 1000);
  const clock = microClock(anchor());
  return stamping((wallMs, monoMs, tight = true) => {
    const text = format(clock(wallMs, monoMs, tight));
    return { first: text, rest: text };
  });
}

/** Spans since the start (elapsed) or since the previous read (delta), in `format` for all but the named styles. */
function spanStamper(name: SpanName, startMono: number, format: (ms: number) => string): Stamper {
  if (name === 'elapsed') {
    return stamping((_wall, mono) => {
      const text = format(mono - startMono);
      return { first: text, rest: text };
    });
  }
  let previous = startMono;
  const zero = format(0);
  return {
    stamp(_wall, mono) {
      const first = format(mono - previous);
      previous = mono;
      return { first, rest: zero };
    },
    note: (_wall, mono) => format(mono - previous),
  };
}

/** A span in a ts/strftime format, as `ts -s FORMAT` and `ts -i FORMAT` print it. */
function spanFormat(pattern: string): (ms: number) => string {
  const { format } = compileStrftime('--timestamp', pattern, true);
  return (ms) => format(Math.max(0, Math.floor(ms * 1000)));
}

/**
 * Builds the stamper for a style; `startMono` is where spans count from, on the monotonic clock; `anchor`
 * gives the precise wall time that microsecond formats carry on.
 */
export function createStamper(style: TimestampStyle, startMono: number, anchor: () => WallAnchor): Stamper {
  if (typeof style === 'object') {
    if ('pattern' in style) return cachedWallStamper((ms) => dayjs(ms).format(style.pattern), 1);
    if ('span' in style) return spanStamper(style.span, startMono, spanFormat(style.strftime));
    return strftimeStamper(style.strftime, anchor);
  }
  switch (style) {
    case 'iso':
      return cachedWallStamper(localIso, 1);
    case 'utc':
      return cachedWallStamper((ms) => new Date(ms).toISOString(), 1);
    case 'date':
      return cachedWallStamper(dateLike(zoneAbbreviation()), 1000);
    case 'epoch':
      return cachedWallStamper((ms) => (ms / 1000).toFixed(3), 1);
    case 'elapsed':
    case 'delta':
      return spanStamper(style, startMono, formatSpan);
  }
}
