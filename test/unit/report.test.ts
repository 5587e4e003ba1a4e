import { describe, expect, it } from 'vitest';
import { failureReport } from '../../src/report/failure-report.js';
import { footerRecord } from '../../src/report/footer.js';
import { historyRecord } from '../../src/report/history-record.js';
import { metricsAfterRun } from '../../src/report/metrics.js';
import { noticeFacts } from '../../src/report/notice-facts.js';
import type { StagesBefore } from '../../src/run/events.js';
import type { AttemptsResult } from '../../src/run/run-values.js';
import { summarize, type SummaryParts } from '../../src/run/summary.js';

const START = Date.parse('2026-11-23T01:00:00.000Z');
const header = { job: 'backup', run: 'abc123', host: 'db1', user: 'root', pid: 42, command: ['backup.sh', '--full'] as const, startMs: START };
const output = {
  out: { lines: 2, bytes: 10, notText: 0 },
  err: { lines: 1, bytes: 4, notText: 0 },
  head: ['t out| one'],
  tail: ['t out| one', 't err| two'],
  log: { path: '/var/log/cronwrap/backup.log', bytesNotLogged: 0 },
};
const ran = (outcome: AttemptsResult['outcome'], more: Partial<AttemptsResult> = {}): AttemptsResult => ({
  outcome,
  attempts: 1,
  drainExpired: false,
  leftovers: [],
  leftoversEnded: false,
  ...more,
});
const RULES = { okExit: [], warnExit: [], stderrFails: false };
const summary = (attempts: AttemptsResult, lockProblems: string[] = [], stderrFails = false, more: Partial<Pick<SummaryParts, 'rules' | 'heal'>> = {}) =>
  summarize({ header, attempts, output, lockProblems, endMs: START + 90_000, durationMs: 90_000, waitedMs: 0, startMonoMs: 0, rules: { ...RULES, stderrFails }, heal: undefined, ...more });

describe('the run summary, built once', () => {
  it.each([
    ['success', ran({ kind: 'exited', code: 0 }), [], { exitCode: 0, verdict: 'ok', skipped: false, signal: null, timedOut: false }],
    ['failure', ran({ kind: 'exited', code: 2 }), [], { exitCode: 2, verdict: 'failed', status: 'failed with exit status 2' }],
    ['timeout', ran({ kind: 'timed-out', timeoutMs: 60_000, command: { kind: 'killed', signal: 'SIGTERM' } }), [], { exitCode: 124, timedOut: true, signal: 'SIGTERM' }],
    ['skipped', ran({ kind: 'lock-busy', exitCode: 0, reason: 'busy' }, { attempts: 0 }), [], { exitCode: 0, skipped: true, verdict: 'skipped' }],
    ['skipped, --lock-busy-exit 75', ran({ kind: 'lock-busy', exitCode: 75, reason: 'busy' }, { attempts: 0 }), [], { exitCode: 75, verdict: 'skipped' }],
    ['skipped, Redis unreachable', ran({ kind: 'lock-busy', exitCode: 0, reason: 'cannot reach Redis' }, { attempts: 0 }), ['cannot reach Redis'], { skipped: true, verdict: 'failed' }],
    ['no fleet lock', ran({ kind: 'exited', code: 0 }), ['cannot reach Redis'], { exitCode: 0, verdict: 'failed', lockProblems: ['cannot reach Redis'] }],
  ] as const)('%s', (_name, attempts, lockProblems, expected) => {
    expect(summary(attempts, [...lockProblems])).toMatchObject(expected);
  });

  it('--stderr-fails: exit 0 with stderr output is a failed run, the exit status stays 0; a failed exit stays as it was', () => {
    expect(summary(ran({ kind: 'exited', code: 0 }), [], true)).toMatchObject({ exitCode: 0, stderrFailed: true, verdict: 'failed', status: 'succeeded (exit 0) but wrote 1 line to stderr (--stderr-fails)' });
    expect(summary(ran({ kind: 'exited', code: 2 }), [], true)).toMatchObject({ exitCode: 2, stderrFailed: false, status: 'failed with exit status 2' });
    expect(summary(ran({ kind: 'exited', code: 0 }), [], false)).toMatchObject({ stderrFailed: false, verdict: 'ok' });
  });

  it('counts --ok-exit statuses as success and --warn-exit statuses as warnings; the exit status stays the command\'s', () => {
    const rules = { okExit: [1], warnExit: [3, 4], stderrFails: false };
    expect(summary(ran({ kind: 'exited', code: 1 }), [], false, { rules })).toMatchObject({ exitCode: 1, verdict: 'ok', status: 'exited with status 1 (a success by --ok-exit)' });
    expect(summary(ran({ kind: 'exited', code: 4 }), [], false, { rules })).toMatchObject({ exitCode: 4, verdict: 'warning', status: 'exited with status 4 (a warning by --warn-exit)' });
    expect(summary(ran({ kind: 'exited', code: 2 }), [], false, { rules })).toMatchObject({ exitCode: 2, verdict: 'failed' });
    // Only a status the command exited with is mapped: a timeout (124) or a signal stays a failure.
    expect(summary(ran({ kind: 'timed-out', timeoutMs: 1000, command: { kind: 'killed', signal: 'SIGTERM' } }), [], false, { rules: { ...rules, okExit: [124] } })).toMatchObject({ verdict: 'failed' });
    expect(summary(ran({ kind: 'exited', code: 3 }), ['cannot reach Redis'], false, { rules })).toMatchObject({ verdict: 'failed' });
  });

  it('after a heal, the heal decides: a warning when it helped, a failure when not', () => {
    const heal = (helped: boolean) => ({ ran: true, exit: helped ? 0 : 1, retried: false, helped, text: helped ? 'healed: x' : 'not healed: y' });
    expect(summary(ran({ kind: 'exited', code: 2 }), [], false, { heal: heal(true) })).toMatchObject({ exitCode: 2, verdict: 'warning', status: 'failed with exit status 2; healed: x' });
    expect(summary(ran({ kind: 'exited', code: 2 }), [], false, { heal: heal(false) })).toMatchObject({ exitCode: 2, verdict: 'failed', status: 'failed with exit status 2; not healed: y' });
  });
});

/** No stage before handed anything on or fell short. */
const NO_STAGES: StagesBefore = { results: {}, problems: [] };

describe('mappers from the summary', () => {
  const leftBehind = summary(ran({ kind: 'exited', code: 1 }, { attempts: 2, drainExpired: true, leftovers: [{ pid: 7, name: 'sleep' }], leftoversEnded: true }));
  const results: StagesBefore = {
    results: { alerts: { alerting: true, notifications: [{ channel: 'email', kind: 'failure', ok: false, attempts: 1, error: 'email: refused', kept: true, resent: false }] } },
    problems: [{ stage: 'metrics', problem: 'cannot write metrics: ENOSPC' }],
  };

  it('footer: every count, and what the observers before it did', () => {
    expect(footerRecord(leftBehind, results, 5000)).toEqual({
      job: 'backup',
      run: 'abc123',
      exit: 1,
      status: 'failed with exit status 1',
      signal: null,
      timed_out: false,
      attempts: 2,
      end: '2026-11-23T01:01:30.000Z',
      duration_ms: 90_000,
      stdout_lines: 2,
      stdout_bytes: 10,
      stderr_lines: 1,
      stderr_bytes: 4,
      not_logged_bytes: 0,
      drain_expired: 'output pipes still open 5.000s after exit; stopped reading',
      left_behind: '7 sleep (ended by cronwrap)',
      notifications: 'email failure: email: refused (kept)',
      metrics_problem: 'cannot write metrics: ENOSPC',
    });
  });

  it('history record: the same run, notifications and problems included', () => {
    expect(historyRecord(leftBehind, results)).toEqual({
      job: 'backup',
      run: 'abc123',
      host: 'db1',
      start: '2026-11-23T01:00:00.000Z',
      end: '2026-11-23T01:01:30.000Z',
      duration_ms: 90_000,
      exit: 1,
      signal: null,
      timed_out: false,
      log: '/var/log/cronwrap/backup.log',
      attempts: 2,
      lock_skipped: false,
      verdict: 'failed',
      leftovers: ['7 sleep'],
      leftovers_ended: true,
      notifications: results.results.alerts!.notifications,
      problems: ['metrics: cannot write metrics: ENOSPC'],
    });
  });

  it('footer and history of a healed run: the verdict that differs from the exit status, and what the heal did', () => {
    const heal = { ran: true, exit: 0, retried: false, helped: true, text: 'healed: --on-failure exited 0 in 1.000s' };
    const healed = summary(ran({ kind: 'exited', code: 2 }), [], false, { heal });
    expect(footerRecord(healed, NO_STAGES, 5000)).toMatchObject({ exit: 2, verdict: 'warning', heal: heal.text });
    expect(historyRecord(healed, NO_STAGES)).toMatchObject({ exit: 2, verdict: 'warning', heal });
    // The verdict is in the footer only when it is not what the exit status says.
    expect(footerRecord(summary(ran({ kind: 'exited', code: 2 })), NO_STAGES, 5000)).not.toHaveProperty('verdict');
    expect(footerRecord(summary(ran({ kind: 'exited', code: 1 }), [], false, { rules: { ...RULES, okExit: [1] } }), NO_STAGES, 5000)).toMatchObject({ verdict: 'ok' });
    expect(failureReport(healed)).toMatch(/^cronwrap: job backup WARNING on db1\n/);
    // A skip with --lock-busy-exit is reported for what it is; the wait for the lock is said apart from the duration.
    const skipped = { ...summary(ran({ kind: 'lock-busy', exitCode: 75, reason: 'busy' }, { attempts: 0 })), durationMs: 2, waitedMs: 60_000 };
    expect(failureReport(skipped)).toMatch(/^cronwrap: job backup SKIPPED on db1\n[^]*\nduration: 2ms, after waiting 1m00s \(jitter, locks\)\n/);
    expect(footerRecord(skipped, NO_STAGES, 5000)).toMatchObject({ duration_ms: 2, waited_ms: 60_000 });
    expect(historyRecord(skipped, NO_STAGES)).toMatchObject({ duration_ms: 2, waited_ms: 60_000 });
    expect(historyRecord(healed, NO_STAGES)).not.toHaveProperty('waited_ms');
  });

  it('notice: a run without its fleet lock says so in its status; a skipped one does not repeat it', () => {
    expect(noticeFacts(summary(ran({ kind: 'exited', code: 0 }), ['cannot reach Redis']))).toMatchObject({
      status: 'succeeded (exit 0); fleet lock: cannot reach Redis',
      totalLines: 3,
      command: ['backup.sh', '--full'],
      logPath: '/var/log/cronwrap/backup.log',
    });
    expect(noticeFacts(summary(ran({ kind: 'lock-busy', exitCode: 0, reason: 'the fleet lock could not be taken' }), ['x'])).status).toBe(
      'skipped: the fleet lock could not be taken',
    );
  });

  it('failure report: status, attempts, leftovers and the last lines', () => {
    const report = failureReport(leftBehind);
    expect(report).toMatch(/^cronwrap: job backup FAILED on db1\ncommand:  backup.sh --full\nstatus:   failed with exit status 1 \(cronwrap exits 1\)\n/);
    expect(report).toContain('duration: 1m30s over 2 attempts\n');
    expect(report).toContain('left behind: 7 sleep (ended by cronwrap)\n');
    expect(report).toMatch(/last 2 lines of output:\n  t out\| one\n  t err\| two\n$/);
  });

  it.each([
    ['success', 0, {}, undefined, { lastExitCode: 0, lastFailed: 0, lastSuccess: START / 1000 + 90, runsTotal: 5, failuresTotal: 1, warningsTotal: 0, healsOk: 0, healsFailed: 0 }],
    ['failure', 3, {}, undefined, { lastExitCode: 3, lastFailed: 1, lastSuccess: 100, runsTotal: 5, failuresTotal: 2, warningsTotal: 0, healsOk: 0, healsFailed: 0 }],
    ['--warn-exit status', 3, { warnExit: [3] }, undefined, { lastExitCode: 3, lastFailed: 0, lastSuccess: START / 1000 + 90, runsTotal: 5, failuresTotal: 1, warningsTotal: 1, healsOk: 0, healsFailed: 0 }],
    ['--ok-exit status', 1, { okExit: [1] }, undefined, { lastExitCode: 1, lastFailed: 0, lastSuccess: START / 1000 + 90, runsTotal: 5, failuresTotal: 1, warningsTotal: 0, healsOk: 0, healsFailed: 0 }],
    ['healed failure', 2, {}, { ran: true, exit: 0, retried: false, helped: true, text: 'healed' }, { lastExitCode: 2, lastFailed: 0, lastSuccess: START / 1000 + 90, runsTotal: 5, failuresTotal: 1, warningsTotal: 1, healsOk: 1, healsFailed: 0 }],
    ['failed heal', 2, {}, { ran: true, exit: 1, retried: false, helped: false, text: 'not healed' }, { lastExitCode: 2, lastFailed: 1, lastSuccess: 100, runsTotal: 5, failuresTotal: 2, warningsTotal: 0, healsOk: 0, healsFailed: 1 }],
  ] as const)('metrics after a %s', (_name, code, rules, heal, expected) => {
    const before = { firstStart: 1, lastStart: 1, lastEnd: 2, lastSuccess: 100, lastExitCode: 0, lastFailed: 0, lastDurationSeconds: 1, runsTotal: 4, failuresTotal: 1, warningsTotal: 0, healsOk: 0, healsFailed: 0, running: true, nextRunDeadline: 1 };
    const judged = summary(ran({ kind: 'exited', code }), [], false, { rules: { ...RULES, ...rules }, heal });
    expect(metricsAfterRun(before, START / 1000, judged)).toEqual({
      ...expected,
      firstStart: 1,
      nextRunDeadline: null,
      lastStart: START / 1000,
      lastEnd: START / 1000 + 90,
      lastDurationSeconds: 90,
      running: false,
    });
  });
});
