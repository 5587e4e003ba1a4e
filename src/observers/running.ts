import type { Observer } from '../run/events.js';
import { clearRunning, markRunning } from '../state/running.js';
import type { JobName } from '../util/job-name.js';

/**
 * Marks the run as in progress from the moment the command may start until it ends, so `cronwrap check`
 * can tell a run that is stuck (past its --timeout, or far past its usual duration) from one that never began.
 */
export function runningObserver(stateDir: string, job: JobName, timeoutMs: number | undefined, now: () => number): Observer {
  let run: string | undefined;
  return {
    stage: 'running',
    on(event) {
      if (event.type === 'start') run = event.header.run;
      if (event.type !== 'ready' || !run) return;
      try {
        markRunning(stateDir, { job, run, pid: process.pid, startMs: now(), timeoutMs: timeoutMs ?? null });
      } catch {
        // A state directory that cannot be written is said once, by the history stage; this run is then
        // only not seen as in progress by `cronwrap check`.
      }
    },
    end() {
      if (run) clearRunning(stateDir, job, run);
      return undefined;
    },
  };
}
