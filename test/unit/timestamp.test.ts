import { describe, expect, it } from 'vitest';

process.env.TZ = 'America/Los_Angeles';
const { createStamper, formatSpan, parseTimestampStyle } = await import('../../src/annotate/timestamp.js');

// Thu Sep 6 2012, 14:39:59.123 in Los Angeles (PDT, UTC-7).
const MOMENT = Date.UTC(2012, 8, 6, 21, 39, 59, 123);

describe('timestamp styles', () => {
  it.each([
    ['iso', '2012-09-06T14:39:59.123-07:00'],
    ['utc', '2012-09-06T21:39:59.123Z'],
    ['date', 'Thu Sep  6 14:39:59 PDT 2012'],
    ['epoch', '1346967599.123'],
  ] as const)('%s', (style, expected) => {
    expect(createStamper(style, 0).stamp(MOMENT, 0).first).toBe(expected);
  });

  it.each([
    ['Europe/Berlin', 'CET'],
    ['Asia/Kolkata', 'IST'],
    ['UTC', 'UTC'],
    ['Asia/Tokyo', 'GMT+9'],
  ])('date names the zone %s as %s, like date(1) where ICU knows the name', (zone, name) => {
    process.env.TZ = zone;
    try {
      expect(createStamper('date', 0).stamp(Date.UTC(2026, 0, 10, 12), 0).first).toMatch(new RegExp(` ${name.replace('+', '\\+')} 2026$`));
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
    expect(createStamper(parseTimestampStyle('--timestamp', format), 0).stamp(MOMENT, 0).first).toBe(expected);
  });

  it('ts\'s %.S, %.s and %.T carry real microseconds from the monotonic clock, laid on the wall clock', () => {
    const stamper = createStamper(parseTimestampStyle('--timestamp', '%H:%M:%.S|%.s|%.T'), 0);
    // The first read anchors the fractions on the wall clock's millisecond; the next is 0.250375 ms later.
    expect(stamper.stamp(MOMENT, 5000).first).toBe('14:39:59.123000|1346967599.123000|14:39:59.123000');
    expect(stamper.stamp(MOMENT, 5000.250375).first).toBe('14:39:59.123250|1346967599.123250|14:39:59.123250');
    // The wall clock was set back a second: it wins, and the fractions start again from it.
    expect(stamper.stamp(MOMENT - 1000 + 1, 5001.5).first).toBe('14:39:58.124000|1346967598.124000|14:39:58.124000');
  });

  it.each([
    ['%Y-%m-%d%n', /%n in .*a newline would split the record/],
    ['%Q', /%Q in '%Q': not a conversion cronwrap knows/],
    ['ss.SSSSSS', /asks for more than milliseconds.*'%H:%M:%.S'/],
  ])('refuses %j with the fix', (format, message) => {
    expect(() => parseTimestampStyle('--timestamp', format)).toThrow(message);
  });

  it('formats a dayjs pattern in local time', () => {
    const stamper = createStamper(parseTimestampStyle('--timestamp', 'YYYY/MM/DD HH:mm:ss.SSS'), 0);
    expect(stamper.stamp(MOMENT, 0).first).toBe('2012/09/06 14:39:59.123');
  });

  it('elapsed counts from the start on the monotonic clock, whatever the wall clock says', () => {
    const stamper = createStamper('elapsed', 1000);
    expect(stamper.stamp(0, 1000 + 3_723_456).first).toBe('01:02:03.456');
  });

  it('delta gives the first line of a read the time since the previous read, the rest zero', () => {
    const stamper = createStamper('delta', 0);
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
