import { errorCode } from '../errors.js';
import { historyRecord } from '../report/history-record.js';
import type { Observer } from '../run/events.js';
import { appendHistory } from '../state/history.js';

/** Records the run in the job's history (`cronwrap status`, `history`), with what the observers before did. */
export function historyObserver(stateDir: string, limit: number): Observer {
  return {
    stage: 'history',
    end({ summary, results }) {
      try {
        appendHistory(stateDir, historyRecord(summary, results), limit);
        return undefined;
      } catch (error) {
        return { stage: 'history', problem: `cannot record the run in ${stateDir}: ${errorCode(error)}` };
      }
    },
  };
}
