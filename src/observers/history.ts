import { errorCode } from '../errors.js';
import { historyRecord } from '../report/history-record.js';
import type { Observer } from '../run/events.js';
import { appendHistory } from '../state/history.js';
import { bootId } from '../util/boot-id.js';
import type { JobName } from '../util/job-name.js';

/**
 * Records the run in the job's history (`cronwrap status`, `history`, `check`), with what the observers
 * before did and the job's schedule.
 */
export function historyObserver(stateDir: string, job: JobName, limit: number, schedule: string | undefined): Observer {
  return {
    stage: 'history',
    end(ending) {
      try {
        appendHistory(stateDir, job, historyRecord(ending.summary, ending, schedule, bootId()), limit);
        return undefined;
      } catch (error) {
        return { problem: `cannot record the run in ${stateDir}: ${errorCode(error)}` };
      }
    },
  };
}
