import type { JobMetrics } from '../fleet/metrics.js';
import type { RunSummary } from '../run/run-values.js';

/** The job's metrics while a run started at `startedAt` (Unix seconds) is in progress; `deadline` (Unix seconds) for the next run, when the schedule is known. */
export function metricsWhileRunning(before: JobMetrics, startedAt: number, deadline?: number): JobMetrics {
  return { ...before, running: true, firstStart: before.firstStart ?? startedAt, lastStart: startedAt, nextRunDeadline: deadline ?? before.nextRunDeadline };
}

/** The job's metrics once the run is over; `deadline` (Unix seconds) when the job's schedule is known. */
export function metricsAfterRun(before: JobMetrics, startedAt: number, summary: RunSummary, deadline?: number): JobMetrics {
  const end = summary.endMs / 1000;
  const { verdict, heal } = summary;
  const failed = verdict === 'failed';
  return {
    ...before,
    running: false,
    firstStart: before.firstStart ?? startedAt,
    lastStart: startedAt,
    lastEnd: end,
    lastExitCode: summary.exitCode,
    lastFailed: Number(failed),
    lastDurationSeconds: summary.durationMs / 1000,
    // A warning did the job's work (a partial backup, a healed failure): not "no success for a day".
    lastSuccess: failed ? before.lastSuccess : end,
    runsTotal: before.runsTotal + 1,
    failuresTotal: before.failuresTotal + Number(failed),
    warningsTotal: before.warningsTotal + Number(verdict === 'warning'),
    healsOk: before.healsOk + Number(heal?.ran === true && heal.exit === 0),
    healsFailed: before.healsFailed + Number(heal?.ran === true && heal.exit !== 0),
    nextRunDeadline: deadline ?? null,
  };
}
