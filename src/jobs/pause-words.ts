import { localIso } from '../annotate/timestamp.js';
import { activePause } from '../state/pauses.js';
import type { JobName } from '../util/job-name.js';

/** How `status`, `jobs` and the live view tell a pause in force: `paused until 14:00` or `paused`, `silenced` with --silence. */
export function pauseWords(stateDir: string, job: JobName, now: number): string | null {
  const pause = activePause(stateDir, job, now);
  if (!pause) return null;
  const word = pause.silence ? 'silenced' : 'paused';
  return pause.until === null ? word : `${word} until ${localIso(pause.until).slice(11, 16)}`;
}
