import { describe, expect, it } from 'vitest';
import { backoffAfter, isDue, MAX_RETRY_MS } from '../../src/notify/kept-backoff.js';

const T0 = Date.parse('2026-12-03T06:00:00.000Z');
const minutes = (m: number) => m * 60_000;

describe('kept alert backoff', () => {
  it.each([
    [0, 1],
    [1, 2],
    [2, 4],
    [5, 32],
    [6, 60],
    [7, 60],
    [1000, 60],
  ])('after %i failed re-sends the next try is %i min on', (retries, wait) => {
    expect(backoffAfter(retries, T0)).toEqual({ retries, nextAt: new Date(T0 + minutes(wait)).toISOString() });
  });

  it.each([
    ['a Retry-After longer than the backoff is waited for', 0, minutes(30), 30],
    ['a shorter one changes nothing', 2, minutes(1), 4],
    ['a day is taken as the longest wait, an hour', 0, minutes(24 * 60), 60],
  ])('%s', (_what, retries, askedMs, wait) => {
    expect(backoffAfter(retries, T0, askedMs).nextAt).toBe(new Date(T0 + minutes(wait)).toISOString());
  });

  it.each([
    ['an alert kept before backoff existed', undefined, T0, true],
    ['its time has come', new Date(T0).toISOString(), T0, true],
    ['its time is a minute off', new Date(T0 + minutes(1)).toISOString(), T0, false],
    ['the longest wait away', new Date(T0 + MAX_RETRY_MS).toISOString(), T0, false],
    // The clock was stepped back: a wait longer than any cronwrap sets would hold the alert for ever.
    ['further than the longest wait', new Date(T0 + MAX_RETRY_MS + 1).toISOString(), T0, true],
  ])('%s', (_what, nextAt, now, due) => {
    expect(isDue(nextAt === undefined ? {} : { nextAt }, now)).toBe(due);
  });
});
