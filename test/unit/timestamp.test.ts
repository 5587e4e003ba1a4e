import { describe, expect, it } from 'vitest';

process.env.TZ = 'America/Los_Angeles';
const { createStamper, formatSpan, parseTimestampStyle } = await import('../../src/annotate/timestamp.js');

// Thu Sep 6 2012, 14:39:59.123 in Los Angeles (PDT, UTC-7).
const MOMENT = Date.UTC(2012, 8, 6, 21, 39, 59, 123);
// The precise wall time microsecond formats carry on from; the other styles never read it.
const ANCHOR = () => ({ wallMs: MOMENT, monoMs: 0 });

describe('timestamp styles', () => {
  it.each([
    ['iso', '2012-09-06T14:39:59.123-07:00'],
    ['utc', '2012-09-06T21:39:59.123Z'],
    ['date', 'Thu Sep  6 14:39:59 PDT 2012'],
    ['epoch', '1346967599.123'],
  ] as const)('%s', (style, expected) => {
    expect(createStamper(style, 0, ANCHOR).stamp(MOMENT, 0).first).toBe(expected);
  });

  it.each([
    ['Europe/Berlin', 'CET'],
    ['Asia/Kolkata', 'IST'],
    ['UTC', 'UTC'],
    ['Asia/Tokyo', 'GMT+9'],
  ])('date names the zone %s as %s, like date(1) where ICU knows the name', (zone, name) => {
    process.env.TZ = zone;
    try {
      expect(createStamper('date', 0, ANCHOR).stamp(Date.UTC(2026, 0, 10, 12), 0).first).toMatch(new RegExp(` ${name.replace('+', '\\+')} 2026$`));
    } finally {
      process.env.TZ = 'America/Los_Angeles';
    }
  });

  it.each([
    ['%Y-%m-%d %H:%M:%S', '2012-09-06 14:39:59'],
    ['%b %d %H:%M:%S', 'Sep 06 14:39:59'],
    ['%a %e %B %Y, %I:%M %p (%Z, %z) day %j', 'Thu  6 September 2012, 02:39 PM (PDT, -0700) day 250'],
    ['%F %T %s %%', '2012-09-06 14:39:59 1346967599 %'],
    ['%c', 'Thu Sep  6 14:39:59 2012'],
  ])('a ts/strftime format %j', (format, expected) => {
    expect(createStamper(parseTimestampStyle('--timestamp', format), 0, ANCHOR).stamp(MOMENT, 0).first).toBe(expected);
  });

  it('ts\'s %.S, %.s and %.T carry real microseconds: a precise wall time carried on by the monotonic clock', () => {
    // The wall clock was 14:39:59.123456789 when the monotonic clock said 5000.
    const stamper = createStamper(parseTimestampStyle('--timestamp', '%H:%M:%.S|%.s|%.T'), 0, () => ({ wallMs: MOMENT + 0.456789, monoMs: 5000 }));
    expect(stamper.stamp(MOMENT, 5000).first).toBe('14:39:59.123456|1346967599.123456|14:39:59.123456');
    expect(stamper.stamp(MOMENT, 5000.250375).first).toBe('14:39:59.123707|1346967599.123707|14:39:59.123707');
    // Date.now() a tick ahead or behind (read a moment apart) moves nothing: the stamps never go backwards.
    expect(stamper.stamp(MOMENT + 1, 5000.3).first).toBe('14:39:59.123756|1346967599.123756|14:39:59.123756');
  });

  it('microseconds follow a wall clock that was stepped, by the least that puts them in its millisecond', () => {
    const stamper = createStamper(parseTimestampStyle('--timestamp', '%H:%M:%.S'), 0, () => ({ wallMs: MOMENT + 0.456789, monoMs: 5000 }));
    expect(stamper.stamp(MOMENT, 5000).first).toBe('14:39:59.123456');
    // Set back a second: the last microsecond of the wall clock's millisecond, then on from there.
    expect(stamper.stamp(MOMENT - 999, 5001).first).toBe('14:39:58.124999');
    expect(stamper.stamp(MOMENT - 998, 5001.5).first).toBe('14:39:58.125499');
    // Set forward five seconds: the first microsecond of its millisecond, then on from there.
    expect(stamper.stamp(MOMENT + 5000, 5002).first).toBe('14:40:04.123000');
    expect(stamper.stamp(MOMENT + 5000, 5002.321).first).toBe('14:40:04.123321');
  });

  it.each([
    ['elapsed:%H:%M:%.S|%.s|%s|%T', 3_723_456.789, '01:02:03.456789|3723.456789|3723|01:02:03'],
    ['elapsed:%.T', 0.5, '00:00:00.000500'],
  ])('%s reads the span as ts -s does (gmtime: no zone offset)', (style, spanMs, expected) => {
    expect(createStamper(parseTimestampStyle('--timestamp', style), 1000, ANCHOR).stamp(0, 1000 + spanMs).first).toBe(expected);
  });

  it('delta:FORMAT is ts -i FORMAT; a header or footer moves no delta', () => {
    const stamper = createStamper(parseTimestampStyle('--timestamp', 'delta:%.s'), 0, ANCHOR);
    expect(stamper.note(0, 100)).toBe('0.100000');
    expect(stamper.stamp(0, 250.5)).toEqual({ first: '0.250500', rest: '0.000000' });
    expect(stamper.note(0, 300)).toBe('0.049500');
    expect(stamper.stamp(0, 1250.5).first).toBe('1.000000');
  });

  it.each([
    ['%Y-%m-%d%n', /%n in .*a newline would split the record/],
    ['%Q', /%Q in '%Q': not a conversion cronwrap knows/],
    ['ss.SSSSSS', /asks for more than milliseconds.*'%H:%M:%.S'/],
    ['elapsed:ss', /'elapsed:ss': after 'elapsed:' give a ts\/strftime format such as '%H:%M:%.S' or '%.s' \(as ts -s takes it\)/],
    ['delta:%Q', /%Q in '%Q': not a conversion/],
  ])('refuses %j with the fix', (format, message) => {
    expect(() => parseTimestampStyle('--timestamp', format)).toThrow(message);
  });

  it('formats a dayjs pattern in local time', () => {
    const stamper = createStamper(parseTimestampStyle('--timestamp', 'YYYY/MM/DD HH:mm:ss.SSS'), 0, ANCHOR);
    expect(stamper.stamp(MOMENT, 0).first).toBe('2012/09/06 14:39:59.123');
  });

  it('elapsed counts from the start on the monotonic clock, whatever the wall clock says', () => {
    const stamper = createStamper('elapsed', 1000, ANCHOR);
    expect(stamper.stamp(0, 1000 + 3_723_456).first).toBe('01:02:03.456');
  });

  it('delta gives the first line of a read the time since the previous read, the rest zero', () => {
    const stamper = createStamper('delta', 0, ANCHOR);
    expect(stamper.stamp(0, 250)).toEqual({ first: '00:00:00.250', rest: '00:00:00.000' });
    expect(stamper.stamp(0, 1250)).toEqual({ first: '00:00:01.000', rest: '00:00:00.000' });
  });

  it('formats spans past a day in hours', () => {
    expect(formatSpan(100 * 3600 * 1000 + 5)).toBe('100:00:00.005');
  });

  it.each(['isoo', 'hello', ''])('rejects %j with a message naming the option and the choices', (value) => {
    expect(() => parseTimestampStyle('--timestamp', value)).toThrow(/--timestamp: unknown style .*iso, utc, date, epoch, elapsed, delta/);
  });
});
