import { describe, expect, it } from 'vitest';
import { orderSummaries, resultOf, summarizeJob } from '../../src/jobs/job-summary.js';
import { jitterDelay } from '../../src/run/jitter.js';
import type { RunRecord } from '../../src/state/history.js';
import { runRecord } from '../helpers/run-record.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
/** A run recorded with its start as written and its end at its start (what the summaries read is the start). */
function run(start: string, fields: Partial<RunRecord> = {}): RunRecord {
  return runRecord('j', Date.parse(start), 0, { start, end: start, duration_ms: 1000, ...fields });
}

describe('resultOf', () => {
  it.each<[Partial<RunRecord>, string]>([
    [{}, 'ok'],
    [{ exit: 3 }, 'exit 3'],
    [{ exit: 137, signal: 'SIGKILL' }, 'signal SIGKILL'],
    [{ exit: 124, timed_out: true, signal: 'SIGTERM' }, 'timeout'],
    [{ lock_skipped: true, attempts: 0 }, 'skipped'],
  ])('%j reads %s', (fields, text) => expect(resultOf(run('2026-11-22T11:00:00Z', fields))).toBe(text));
});

describe('summarizeJob', () => {
  it('counts the failing streak, skipping lock skips, and finds the last success', () => {
    const summary = summarizeJob(
      'j',
      [
        run('2026-11-20T00:00:00Z'),
        run('2026-11-22T01:00:00Z', { exit: 1 }),
        run('2026-11-22T02:00:00Z'),
        run('2026-11-22T03:00:00Z', { exit: 2 }),
        run('2026-11-22T04:00:00Z', { lock_skipped: true }),
        run('2026-11-22T05:00:00Z', { exit: 3 }),
      ],
      NOW,
    );
    expect(summary).toMatchObject({
      last_start: '2026-11-22T05:00:00Z',
      last_result: 'exit 3',
      last_success: '2026-11-22T02:00:00Z',
      consecutive_failures: 2,
      runs_24h: 5,
      failing: true,
    });
  });

  it('a job that never succeeded has no last success', () => {
    expect(summarizeJob('j', [run('2026-11-22T01:00:00Z', { exit: 1 })], NOW)).toMatchObject({ last_success: null, consecutive_failures: 1 });
  });

  it('orders failing jobs first, then by name', () => {
    const jobs = ['b', 'a', 'c'].map((name, i) => summarizeJob(name, [run('2026-11-22T01:00:00Z', { exit: i === 2 ? 1 : 0 })], NOW)!);
    expect(orderSummaries(jobs).map((s) => s.job)).toEqual(['c', 'a', 'b']);
  });
});

describe('jitterDelay', () => {
  it('stays within the bound and is stable per host and job', () => {
    const delays = Array.from({ length: 200 }, (_, i) => jitterDelay(`host${i}`, 'backup', 60_000));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(60_000);
    }
    expect(jitterDelay('host7', 'backup', 60_000)).toBe(delays[7]);
    // A fleet spreads out: 200 hosts cover most of the window.
    expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan(50_000);
    expect(jitterDelay('host7', 'other-job', 60_000)).not.toBe(delays[7]);
    expect(jitterDelay('h', 'j', 0)).toBe(0);
  });
});
