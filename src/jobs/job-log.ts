import { readNewestRuns } from '../state/history.js';

/** The job's log, for `cronwrap tail` and the live view's tail: where its last run logged, or the default place. */
export function jobLogPath(stateDir: string, job: string, fallback: string): string {
  return readNewestRuns(stateDir, job, 1)[0]?.log ?? fallback;
}
