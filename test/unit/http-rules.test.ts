import { describe, expect, it } from 'vitest';
import { MAX_REDIRECTS, redirectStep } from '../../src/net/redirects.js';
import { jittered, retryAfterMs } from '../../src/net/retry-pause.js';
import { hasCredentials, splitCredentials } from '../../src/net/url-credentials.js';
import { eventDedupKey } from '../../src/notify/pagerduty.js';
import { redactUrls } from '../../src/util/format.js';

describe('credentials in a URL', () => {
  it('split off as basic auth, percent-escapes decoded as curl does; the secrets listed', () => {
    const { url, authorization, secrets } = splitCredentials(new URL('https://bob:p%40ss%3Aw@hooks.example.com/x?token=1'));
    expect(url.href).toBe('https://hooks.example.com/x?token=1');
    expect(authorization).toBe(`Basic ${Buffer.from('bob:p@ss:w').toString('base64')}`);
    expect(secrets).toEqual(['p%40ss%3Aw', 'p@ss:w', Buffer.from('bob:p@ss:w').toString('base64')]);
    expect(splitCredentials(new URL('https://hooks.example.com/x'))).toEqual({ url: new URL('https://hooks.example.com/x'), secrets: [] });
    expect([hasCredentials('https://u@h.example'), hasCredentials('https://h.example/?u=p'), hasCredentials('not a url')]).toEqual([true, false, false]);
  });
});

describe('redactUrls', () => {
  it.each([
    ['fetch: http://bob:s3cret@127.0.0.1:8/hook?token=abc failed', 'fetch: http://127.0.0.1:8/… failed'],
    ['to https://h.example/a/b: refused', 'to https://h.example/…: refused'],
    ['(see https://h.example/x?k=v).', '(see https://h.example/…).'],
    ['no url here', 'no url here'],
  ])('%s', (text, shown) => expect(redactUrls(text)).toBe(shown));
});

describe('redirects of an alert', () => {
  const origin = new URL('https://hooks.example.com/in');
  it('followed within the origin with 301, 302, 307, 308; credentials in a Location dropped', () => {
    for (const status of [301, 302, 307, 308]) expect(redirectStep(status, '/new', origin, origin, 0)).toEqual({ follow: new URL('https://hooks.example.com/new') });
    expect(redirectStep(307, 'https://eve:x@hooks.example.com/n', origin, origin, 0)).toEqual({ follow: new URL('https://hooks.example.com/n') });
  });
  it('refused: another host, a scheme change, a 303, a chain over the cap', () => {
    expect(redirectStep(302, 'https://other.example.com/in', origin, origin, 0)).toEqual({ refused: expect.stringMatching(/redirected to https:\/\/other\.example\.com\/…, another host/) });
    expect(redirectStep(308, 'http://hooks.example.com/in', origin, origin, 0)).toEqual({ refused: expect.stringMatching(/another host/) });
    expect(redirectStep(303, '/done', origin, origin, 0)).toEqual({ refused: expect.stringMatching(/^HTTP 303/) });
    expect(redirectStep(307, '/again', origin, origin, MAX_REDIRECTS)).toEqual({ refused: expect.stringMatching(/more than 5 redirects/) });
  });
  it('not a redirect: any other status, or no Location', () => {
    expect(redirectStep(200, '/x', origin, origin, 0)).toBeUndefined();
    expect(redirectStep(300, '/x', origin, origin, 0)).toBeUndefined();
    expect(redirectStep(302, null, origin, origin, 0)).toBeUndefined();
  });
});

describe('pauses between attempts', () => {
  it('jitter spreads the backoff over half to one and a half times it', () => {
    expect([0, 0.5, 0.999].map((r) => jittered(1000, () => r))).toEqual([500, 1000, 1499]);
  });
  it('Retry-After in seconds or as an HTTP date; nothing for a missing or unreadable one', () => {
    const now = Date.parse('2026-12-03T06:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Thu, 03 Dec 2026 06:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Thu, 03 Dec 2026 05:00:00 GMT', now)).toBe(0);
    expect([retryAfterMs(null, now), retryAfterMs('', now), retryAfterMs('soon', now), retryAfterMs('-3', now)]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('PagerDuty dedup keys', () => {
  it('at most 255 characters: a longer one keeps its start and ends in a hash of the whole', () => {
    const short = `cronwrap/host/${'x'.repeat(241)}`;
    expect(eventDedupKey(short)).toBe(short);
    const long = `cronwrap/host/${'x'.repeat(400)}`;
    const key = eventDedupKey(long);
    expect(key).toHaveLength(255);
    expect(key).toMatch(/^cronwrap\/host\/x+~[0-9a-f]{16}$/);
    expect(eventDedupKey(long)).toBe(key);
    expect(eventDedupKey(`${long}y`)).not.toBe(key);
    // Never half a surrogate pair at the cut.
    const emoji = eventDedupKey(`${'a'.repeat(237)}${'😀'.repeat(20)}`);
    expect(emoji.length).toBeLessThanOrEqual(255);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});
