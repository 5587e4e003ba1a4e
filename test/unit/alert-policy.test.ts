import { describe, expect, it } from 'vitest';
import { decide, decideFinding, type AlertState, type PolicyOptions } from '../../src/notify/policy.js';
import type { Verdict } from '../../src/state/history.js';
import { bodyOf, oneLine, outputExcerpt, subjectOf, type Notice } from '../../src/notify/notice.js';
import { pingUrl } from '../../src/notify/ping.js';
import { redactUrl } from '../../src/util/format.js';
import { expandKey } from '../../src/notify/pagerduty-channel.js';

const FRESH: AlertState = { failures: 0, alerted: false, lastAlertAt: null };
const options: PolicyOptions = { alertAfter: { failures: 1, window: undefined }, alertAfterSkips: 3, remindMs: undefined, notifySuccess: false };
const VERDICTS: Record<string, Verdict> = { o: 'ok', F: 'failed', s: 'skipped', w: 'warning', h: 'warning' };

/** Runs a sequence of runs (o = ok, F = failed, s = skipped for the lock, w = warning, h = healed) through the policy; returns what was sent. */
function play(runs: string, opts = options, step = 60_000, state = FRESH): (string | null)[] {
  return [...runs].map((run, i) => {
    const { kind, next } = decide(state, VERDICTS[run]!, opts, i * step, run === 'h');
    state = next;
    return kind;
  });
}

describe('alert policy', () => {
  it('alerts on the first failure, once, and tells once on recovery', () => {
    expect(play('oFFFoo')).toEqual([null, 'failure', null, null, 'recovery', null]);
  });

  it('--alert-after 3: only the third failure in a row alerts; a success in between starts over', () => {
    expect(play('FFoFFFFF', { ...options, alertAfter: { failures: 3, window: undefined } })).toEqual([null, null, null, null, null, 'failure', null, null]);
  });

  it('--alert-after 3/10: a flapping job alerts once 3 of the last 10 runs failed, not at every failure, and recovers once fewer did', () => {
    const rate = { ...options, alertAfter: { failures: 3, window: 10 } };
    // Never two failures in a row, so "3 in a row" would never alert.
    // The alert at the third failure; the recovery once the window holds only two (the run at index 12).
    expect(play('FoFoFoFoooooooooo', rate)).toEqual([null, null, null, null, 'failure', null, null, null, null, null, null, null, 'recovery', null, null, null, null]);
    // Failures spread wider than the window never add up.
    expect(play('FooooooooooFooooooooooF', rate).filter(Boolean)).toEqual([]);
    // In a row counts too.
    expect(play('FFF', rate)).toEqual([null, null, 'failure']);
  });

  it('--alert-after N/M remembers only M runs, and reminds while over the rate', () => {
    const rate = { ...options, alertAfter: { failures: 2, window: 4 }, remindMs: 3 * 60_000 };
    let state = FRESH;
    for (const run of 'FoFoFoFo') state = decide(state, VERDICTS[run]!, rate, 0).next;
    expect(state.recent).toEqual([1, 0, 1, 0]);
    expect(play('FoFoFoFo', rate)).toEqual([null, null, 'failure', null, null, null, 'reminder', null]);
  });

  it('warnings: told once per streak of them, recovered from by a plain success; after a failure, a warning is its recovery', () => {
    expect(play('owwwoo')).toEqual([null, 'warning', null, null, 'recovery', null]);
    expect(play('wwww', { ...options, remindMs: 2 * 60_000 })).toEqual(['warning', null, 'warning', null]);
    // The failure's episode ends with the warning (PagerDuty resolves); the next plain success has nothing to say.
    expect(play('FwoFw')).toEqual(['failure', 'recovery', null, 'failure', 'recovery']);
    // A warning is no failure: it breaks a streak of them.
    expect(play('FFwFF', { ...options, alertAfter: { failures: 3, window: undefined } })).toEqual([null, null, 'warning', null, null]);
  });

  it('a healed failure is no clean success: it counts in the streak of failures and a told failure stays open until a plain success', () => {
    expect(play('hhFFo')).toEqual(['warning', null, 'failure', null, 'recovery']);
    // After a told failure, a healed run is no recovery: the episode goes on, and a plain success ends it.
    expect(play('FhFho')).toEqual(['failure', null, null, null, 'recovery']);
    // --alert-after 3: two healed runs and a failure are three failures in a row.
    expect(play('hhF', { ...options, alertAfter: { failures: 3, window: undefined } })).toEqual(['warning', null, 'failure']);
    let state = FRESH;
    for (const run of 'hhF') state = decide(state, VERDICTS[run]!, options, 0, run === 'h').next;
    expect(state.failures).toBe(3);
  });

  it('a last alert dated in the future (a clock stepped back) is no reason to stay silent: the reminder goes out, and the count starts afresh', () => {
    const remind = { ...options, remindMs: 60 * 60_000 };
    const alerted: AlertState = { failures: 3, alerted: true, lastAlertAt: 10 * 60 * 60_000 };
    const first = decide(alerted, 'failed', remind, 7 * 60 * 60_000);
    expect(first).toMatchObject({ kind: 'reminder', next: { lastAlertAt: 7 * 60 * 60_000 } });
    expect(decide(first.next, 'failed', remind, 7.5 * 60 * 60_000).kind).toBeNull();
    expect(decide({ ...FRESH, warned: true, lastAlertAt: 10 * 60 * 60_000 }, 'warning', remind, 7 * 60 * 60_000).kind).toBe('warning');
  });

  it('no recovery notice when no alert went out', () => {
    expect(play('FFo', { ...options, alertAfter: { failures: 3, window: undefined } })).toEqual([null, null, null]);
  });

  it('--remind: a job failing every minute for a day sends one alert per remind period, not 1,440', () => {
    const day = play('F'.repeat(1440), { ...options, remindMs: 3_600_000 });
    expect(day.filter((k) => k === 'failure')).toHaveLength(1);
    expect(day.filter((k) => k === 'reminder')).toHaveLength(23);
  });

  it('--notify-success tells about every good run', () => {
    expect(play('oo', { ...options, notifySuccess: true })).toEqual(['success', 'success']);
  });

  it('lock skips: one alert once 3 come in a row, none per skip; a success recovers', () => {
    expect(play('ssosssssso')).toEqual([null, null, null, null, null, 'skipped', null, null, null, 'recovery']);
  });

  it('lock skips neither break nor lengthen a failing streak', () => {
    expect(play('FsFsFo', { ...options, alertAfter: { failures: 3, window: undefined } })).toEqual([null, null, null, null, 'failure', 'recovery']);
    expect(play('sssFo')).toEqual([null, null, 'skipped', 'failure', 'recovery']);
  });

  it('a missed run (cronwrap check) is told once per episode, and the next good run tells the recovery', () => {
    const first = decideFinding(FRESH, 'missed', 0);
    expect(first.kind).toBe('missed');
    expect(decideFinding(first.next, 'missed', 1).kind).toBeNull();
    expect(decideFinding(first.next, 'stuck', 1).kind).toBe('stuck'); // another episode, told apart
    expect(decide(first.next, 'ok', options, 2)).toEqual({ kind: 'recovery', next: FRESH });
  });

  it('reads a state file written before skips were counted', () => {
    expect(play('sss', options, 60_000, { failures: 2, alerted: true, lastAlertAt: 0 })).toEqual([null, null, 'skipped']);
  });
});

const notice: Notice = {
  id: 'r1-failure',
  kind: 'failure',
  job: 'backup',
  host: 'db1',
  user: 'root',
  run: 'r1',
  command: ['/usr/local/bin/backup.sh', '--full'],
  start: '2026-11-22T00:01:00.000Z',
  end: '2026-11-22T00:02:00.000Z',
  durationMs: 60_000,
  exitCode: 2,
  status: 'failed with exit status 2',
  signal: null,
  timedOut: false,
  attempts: 1,
  consecutiveFailures: 1,
  logPath: '/var/log/cronwrap/backup.log',
  head: ['h1', 'h2'],
  tail: ['t1', 't2'],
  totalLines: 100,
};

describe('notice text', () => {
  it.each<[Partial<Notice>, string]>([
    [{}, '[cronwrap] backup FAILED on db1 (exit 2)'],
    [{ exitCode: 137 }, '[cronwrap] backup FAILED on db1 (exit 137)'],
    [{ exitCode: 124, timedOut: true }, '[cronwrap] backup FAILED on db1 (timed out)'],
    [{ kind: 'reminder', consecutiveFailures: 7 }, '[cronwrap] backup STILL FAILING on db1 (exit 2, 7 failures in a row)'],
    [{ kind: 'skipped', consecutiveSkips: 3, exitCode: 0, status: 'skipped: another run of the job holds the lock' }, '[cronwrap] backup SKIPPED on db1 (3 runs in a row: another run of the job holds the lock)'],
    [{ kind: 'recovery' }, '[cronwrap] backup RECOVERED on db1'],
    [{ kind: 'test' }, '[cronwrap] backup TEST ALERT on db1'],
    [{ host: 'db1\r\nBcc: x@y' }, '[cronwrap] backup FAILED on db1 Bcc: x@y (exit 2)'],
  ])('subject for %j', (fields, subject) => expect(subjectOf({ ...notice, ...fields })).toBe(subject));

  it('says how much of the output it shows', () => {
    expect(outputExcerpt(notice)[0]).toBe('showing first 2 and last 2 of 100 lines of output:');
    expect(outputExcerpt({ ...notice, head: ['a', 'b', 'c'], tail: ['b', 'c', 'd'], totalLines: 4 })).toEqual(['all 4 lines of output:', '  a', '  b', '  c', '  d']);
    expect(outputExcerpt({ ...notice, head: [], tail: [], totalLines: 0 })).toEqual(['(no output)']);
  });

  it('has the facts a person needs in the body', () => {
    const body = bodyOf(notice);
    for (const part of ['job:      backup', 'command:  /usr/local/bin/backup.sh --full', 'host:     db1', 'user:     root', 'duration: 1m00s', 'status:   failed with exit status 2 (exit 2)', 'log:      /var/log/cronwrap/backup.log']) {
      expect(body).toContain(part);
    }
  });

  it('oneLine removes every control character', () => {
    expect(oneLine('a\r\nb\tc\u0000d')).toBe('a b c d');
  });
});

describe('URLs', () => {
  it('builds healthchecks.io ping URLs', () => {
    expect(pingUrl('https://hc.example.com/ping/abc/', 'start', 'R')).toBe('https://hc.example.com/ping/abc/start?rid=R');
    expect(pingUrl('https://hc.example.com/ping/abc', 'success', 'R')).toBe('https://hc.example.com/ping/abc?rid=R');
    expect(pingUrl('https://hc.example.com/ping/abc', 'fail', 'R')).toBe('https://hc.example.com/ping/abc/fail?rid=R');
  });

  it('never shows a URL\'s path or query, where tokens live', () => {
    expect(redactUrl('https://hooks.slack.com/services/T000/B000/SECRET?x=1')).toBe('https://hooks.slack.com/…');
  });

  it('fills {host} and {job} (or <host> and <job>) into the dedup key', () => {
    expect(expandKey('cronwrap/{host}/{job}', 'db1', 'backup')).toBe('cronwrap/db1/backup');
    expect(expandKey('cronwrap/<job>', 'db1', 'backup')).toBe('cronwrap/backup');
  });
});
