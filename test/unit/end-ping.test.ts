import { describe, expect, it } from 'vitest';
import { PING_BODY_BYTES } from '../../src/notify/ping.js';
import { TailBytes } from '../../src/output/excerpt.js';
import { endPingBody, endPingEvent } from '../../src/report/end-ping.js';
import type { AttemptsResult } from '../../src/run/run-values.js';
import { summarize } from '../../src/run/summary.js';

const header = { job: 'backup', run: 'abc123', host: 'db1', user: 'root', pid: 42, command: ['backup.sh'] as const, startMs: 0 };
const output = (errBytes: number) => ({ out: { lines: 1, bytes: 4, notText: 0 }, err: { lines: errBytes > 0 ? 1 : 0, bytes: errBytes, notText: 0 }, head: [], tail: [], log: { path: '/l', bytesNotLogged: 0 } });
const RULES = { okExit: [1], warnExit: [4], stderrFails: true };
const summaryOf = (outcome: AttemptsResult['outcome'], lockProblems: string[] = [], errBytes = 0) =>
  summarize({ header, attempts: { outcome, attempts: 1, drainExpired: false, leftovers: [], leftoversEnded: false }, output: output(errBytes), lockProblems, endMs: 1, durationMs: 1, waitedMs: 0, startMonoMs: 0, rules: RULES, heal: undefined });
const exited = (code: number) => summaryOf({ kind: 'exited', code });

describe('the end ping', () => {
  it('success for a run that did its work, the exit status for a failed exit, /fail for a failure without one', () => {
    expect(endPingEvent(exited(0))).toBe('success');
    expect(endPingEvent(exited(1))).toBe('success'); // --ok-exit 1
    expect(endPingEvent(exited(4))).toBe('success'); // --warn-exit 4
    expect(endPingEvent(exited(3))).toBe(3);
    expect(endPingEvent(summaryOf({ kind: 'not-found', reason: 'ENOENT' }))).toBe(127);
    expect(endPingEvent(summaryOf({ kind: 'exited', code: 0 }, [], 5))).toBe('fail'); // --stderr-fails: /0 would read as success
    expect(endPingEvent(summaryOf({ kind: 'exited', code: 0 }, ['lost the fleet lock']))).toBe('fail');
    expect(endPingEvent(summaryOf({ kind: 'killed', signal: 'SIGKILL' }))).toBe('fail');
    expect(endPingEvent(summaryOf({ kind: 'timed-out', timeoutMs: 1000, command: { kind: 'exited', code: 3 } }))).toBe('fail');
    expect(endPingEvent(summaryOf({ kind: 'interrupted', signal: 'SIGTERM', command: { kind: 'exited', code: 0 } }))).toBe('fail');
    expect(endPingEvent(summaryOf({ kind: 'spawn-failed', reason: 'EMFILE' }))).toBe('fail');
  });

  it('the body: the last records, escaped, from a whole record, and the status, within what healthchecks keeps', () => {
    const tail = new TailBytes(PING_BODY_BYTES);
    for (let i = 1; i <= 5000; i++) tail.add(Buffer.from(`t out| line ${i} \x1b[2J ${'x'.repeat(40)}\n`));
    const body = endPingBody(exited(2), tail.bytes());
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(PING_BODY_BYTES);
    expect(Buffer.byteLength(body)).toBeGreaterThan(PING_BODY_BYTES - 200);
    expect(body).toMatch(/^t out\| line \d+ \\x1b\[2J x+\n/);
    expect(body).toMatch(/line 5000 \\x1b\[2J x+\ncronwrap: failed with exit status 2 \(cronwrap exits 2\)\n$/);
  });

  it('one record longer than the bound, of characters cut anywhere: whole characters only, still within the bound', () => {
    const tail = new TailBytes(PING_BODY_BYTES);
    tail.add(Buffer.from(`t out| ${'é'.repeat(80_000)}\n`));
    const body = endPingBody(exited(2), tail.bytes());
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(PING_BODY_BYTES);
    expect(body.startsWith('é')).toBe(true);
    expect(body).not.toContain('\ufffd');
  });

  it('no output: the status alone', () => {
    expect(endPingBody(summaryOf({ kind: 'killed', signal: 'SIGKILL' }), Buffer.alloc(0))).toBe('cronwrap: killed by signal SIGKILL (9, killed) (cronwrap exits 137)\n');
  });
});
