import type { Observer } from '../run/events.js';
import { claimNeverEnded } from '../state/running.js';
import type { JobName } from '../util/job-name.js';

/**
 * Finds the job's earlier runs whose cronwrap was killed (SIGKILL, the OOM killer) or went down with the
 * host: they left their running mark and no footer or history. Done as this run ends, not as it starts,
 * so a mark is removed only when the footer and the history that tell of it are written just after; if
 * this run is killed too, both marks stay for the next one.
 */
export function neverEndedObserver(stateDir: string, job: JobName, now: () => number): Observer<'never_ended'> {
  return {
    stage: 'never_ended',
    end() {
      const found = claimNeverEnded(stateDir, job, now()).map((mark) => ({ run: mark.run, start: new Date(mark.startMs).toISOString(), pid: mark.pid }));
      return found.length > 0 ? { results: { never_ended: found } } : undefined;
    },
  };
}
