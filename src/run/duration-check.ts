import type { DurationRange } from '../config/value-types.js';
import { isSuccessfulRun, readRecentHistory, type RunRecord } from '../state/history.js';
import { formatDuration } from '../util/format.js';
import type { JobName } from '../util/job-name.js';
import type { RunSummary } from './run-values.js';

/** A job's usual run time is known once it has this many successful runs. */
export const USUAL_AFTER = 5;
/** How far from its usual run time a run may be before it is worth a warning: a fifth, or five times. */
const FACTOR = 5;

/** The durations of the last 20 successful runs among `runs` (oldest first): what a job's usual time is made of. */
export function recentDurations(runs: readonly RunRecord[]): number[] {
  return runs.filter(isSuccessfulRun).slice(-20).map((run) => run.duration_ms);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Why a successful run's duration is worth a warning, or undefined: outside `--expect-duration`, or,
 * without it, under a fifth or over five times the median of the job's recent successful runs (an
 * indexing job that ran 15 minutes instead of 50 did not do its work, and nobody noticed).
 */
export function durationWarning(durationMs: number, recentMs: readonly number[], expect: DurationRange | undefined): string | undefined {
  const ran = `ran ${formatDuration(durationMs)}`;
  if (expect) {
    if (expect.minMs !== undefined && durationMs < expect.minMs) return `${ran}, less than the ${formatDuration(expect.minMs)} expected (--expect-duration)`;
    if (expect.maxMs !== undefined && durationMs > expect.maxMs) return `${ran}, more than the ${formatDuration(expect.maxMs)} expected (--expect-duration)`;
    return undefined;
  }
  if (recentMs.length < USUAL_AFTER) return undefined;
  const usual = median(recentMs);
  const of = `its usual ${formatDuration(usual)} (the median of its last ${recentMs.length} successful runs)`;
  if (durationMs * FACTOR < usual) return `${ran}, under a fifth of ${of}`;
  if (durationMs > usual * FACTOR) return `${ran}, over five times ${of}`;
  return undefined;
}

/** About the last 20 runs (a record is some 400 bytes): every byte parsed costs each run time. */
const RECENT_BYTES = 8 * 1024;

/**
 * A step of the run, after the verdict and before the observers: judges a successful run's duration
 * against `--expect-duration`, or against the job's own last successful runs (from the end of its
 * history), for the summary that the alerts (a warning, not a failure), the footer and the history read.
 * Reads only: a history that cannot be read means no usual duration yet.
 */
export function checkDuration(run: Pick<RunSummary, 'verdict' | 'durationMs'>, stateDir: string, job: JobName, expect: DurationRange | undefined): string | undefined {
  if (run.verdict !== 'ok') return undefined;
  const recent = expect ? [] : recentDurations(readRecentHistory(stateDir, job, RECENT_BYTES));
  return durationWarning(run.durationMs, recent, expect);
}
