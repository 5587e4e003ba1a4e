import { describe, expect, it } from 'vitest';
import type { Observer, RunEnding } from '../../src/run/events.js';
import { GuardedObservers } from '../../src/run/observers.js';
import type { RunSummary } from '../../src/run/run-values.js';

const LOST = { run: 'dead01', start: '2026-11-23T00:00:00.000Z', pid: 4242 };
const SUMMARY = { job: 'backup' } as RunSummary; // the stages here do not read it

/** An observer that keeps what it was handed at the end. */
function reader(stage: string, handed: Omit<RunEnding, 'summary' | 'stop'>[]): Observer {
  return { stage, end: ({ results, problems }) => void handed.push({ results, problems }) };
}

describe('stage results: typed, keyed by the stage that hands them on', () => {
  it('a later stage is handed what each earlier one returned under its own name, and their problems in order', async () => {
    const neverEnded: Observer<'never_ended'> = { stage: 'never_ended', end: () => ({ results: { never_ended: [LOST] } }) };
    const alerts: Observer<'alerts'> = { stage: 'alerts', end: () => ({ results: { alerts: { alerting: true, notifications: [], undelivered: 'text' } }, problem: 'slow' }) };
    const broken: Observer = {
      stage: 'metrics',
      end: () => {
        throw new Error('boom');
      },
    };
    const handed: Omit<RunEnding, 'summary' | 'stop'>[] = [];
    const said: string[] = [];
    const guard = new GuardedObservers([neverEnded, alerts, broken, reader('report', handed)], { write: (data) => void said.push(Buffer.from(data).toString()) });

    const ended = await guard.end(SUMMARY, new AbortController().signal);

    const expected = {
      results: { never_ended: [LOST], alerts: { alerting: true, notifications: [], undelivered: 'text' } },
      problems: [
        { stage: 'alerts', problem: 'slow' },
        { stage: 'metrics', problem: expect.stringMatching(/boom/) },
      ],
    };
    expect(handed).toEqual([expected]);
    expect(ended).toEqual(expected);
    expect(said.join('')).toMatch(/^cronwrap: alerts: slow\ncronwrap: metrics: internal error .*boom/);
  });

  it('the compiler ties a result to its stage: an observer cannot hand on another stage\'s result', () => {
    const wrong: Observer<'metrics'> = {
      stage: 'metrics',
      // @ts-expect-error `alerts` is the alerts stage's to hand on, not the metrics stage's
      end: () => ({ results: { alerts: { alerting: false, notifications: [] } } }),
    };
    // @ts-expect-error a stage's result has its own type: never_ended hands on runs, not text
    const mistyped: Observer<'never_ended'> = { stage: 'never_ended', end: () => ({ results: { never_ended: 'dead01' } }) };
    expect([wrong.stage, mistyped.stage]).toEqual(['metrics', 'never_ended']);
  });
});
