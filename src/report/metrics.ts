import type { JobMetrics } from '../fleet/metrics.js';
import type { RunSummary } from '../run/summary.js';

/** The job's metrics while a run started at `startedAt` (Unix seconds) is in progress. */
export function metricsWhileRunning(before: JobMetrics, startedAt: number): JobMetrics {
  return { ...before, running: true, firstStart: before.firstStart ?? startedAt, lastStart: startedAt };
}

/** The job's metrics once the run is over; `deadline` (Unix seconds) when the job's schedule is known. */
export function metricsAfterRun(before: JobMetrics, startedAt: number, summary: RunSummary, deadline?: number): JobMetrics {
  const end = summary.endMs / 1000;
  const succeeded = summary.exitCode === 0 && !summary.stderrFailed;
  return {
    ...before,
    running: false,
    firstStart: before.firstStart ?? startedAt,
    lastStart: startedAt,
    lastEnd: end,
    lastExitCode: summary.exitCode,
    lastDurationSeconds: summary.durationMs / 1000,
    lastSuccess: succeeded ? end : before.lastSuccess,
    runsTotal: before.runsTotal + 1,
    failuresTotal: before.failuresTotal + (succeeded ? 0 : 1),
    nextRunDeadline: deadline ?? null,
  };
}
