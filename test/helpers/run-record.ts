import type { RunRecord } from '../../src/state/history.js';

let counter = 0;

/** A history record of a run of `job` that started at `startMs` and succeeded after `durationMs`; `fields` override any of it. */
export function runRecord(job: string, startMs: number, durationMs: number, fields: Partial<RunRecord> = {}): RunRecord {
  return {
    job,
    run: (counter++).toString(16).padStart(12, '0'),
    host: 'h',
    start: new Date(startMs).toISOString(),
    end: new Date(startMs + durationMs).toISOString(),
    duration_ms: durationMs,
    exit: 0,
    signal: null,
    timed_out: false,
    log: `/var/log/cronwrap/${job}.log`,
    attempts: 1,
    lock_skipped: false,
    leftovers: [],
    leftovers_ended: false,
    notifications: [],
    ...fields,
  };
}
