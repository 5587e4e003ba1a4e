import type { DurationRange } from '../config/value-types.js';
import { durationWarning, recentDurations } from '../run/duration-check.js';
import type { Observer } from '../run/events.js';
import { readRecentHistory } from '../state/history.js';
import type { JobName } from '../util/job-name.js';

/** About the last 20 runs (a record is some 400 bytes): every byte parsed costs each run time. */
const RECENT_BYTES = 8 * 1024;

/**
 * Judges a successful run's duration against `--expect-duration`, or against the job's own last
 * successful runs (from the end of its history), for the alerts (a warning, not a failure), the footer
 * and the history. Reads only: a history that cannot be read means no usual duration yet.
 */
export function durationsObserver(stateDir: string, job: JobName, expect: DurationRange | undefined): Observer {
  return {
    stage: 'durations',
    end({ summary }) {
      if (summary.verdict !== 'ok') return undefined;
      const recent = expect ? [] : recentDurations(readRecentHistory(stateDir, job, RECENT_BYTES));
      const warning = durationWarning(summary.durationMs, recent, expect);
      return warning ? { stage: 'durations', durationWarning: warning } : undefined;
    },
  };
}
