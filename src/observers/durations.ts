import type { DurationRange } from '../config/value-types.js';
import { durationWarning } from '../report/duration-warning.js';
import type { Observer } from '../run/events.js';
import { isSuccessfulRun, readRecentHistory } from '../state/history.js';

/** How many of the job's last successful runs make its usual duration. */
const RECENT = 20;
/** About the last 40 runs (a record is some 400 bytes): parsing a longer history's end cost ~4 ms a run. */
const RECENT_BYTES = 16 * 1024;

/**
 * Judges a successful run's duration against `--expect-duration`, or against the job's own last
 * successful runs (from the end of its history), for the alerts (a warning, not a failure), the footer
 * and the history. Reads only: a history that cannot be read means no usual duration yet.
 */
export function durationsObserver(stateDir: string, job: string, expect: DurationRange | undefined): Observer {
  return {
    stage: 'durations',
    end({ summary }) {
      if (summary.verdict !== 'ok') return undefined;
      const recent = expect
        ? []
        : readRecentHistory(stateDir, job, RECENT_BYTES)
            .filter(isSuccessfulRun)
            .slice(-RECENT)
            .map((run) => run.duration_ms);
      const warning = durationWarning(summary.durationMs, recent, expect);
      return warning ? { stage: 'durations', durationWarning: warning } : undefined;
    },
  };
}
