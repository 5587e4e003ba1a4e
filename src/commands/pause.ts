import { localIso } from '../annotate/timestamp.js';
import { errorCode } from '../errors.js';
import type { Io } from '../io.js';
import { print } from '../output/console.js';
import { removePause, writePause } from '../state/pauses.js';
import type { JobName } from '../util/job-name.js';
import { makeDirs } from '../util/make-dirs.js';
import { join } from 'node:path';
import { refuseUnknownJob, type KnownJobSources } from '../jobs/known-jobs.js';

export interface PauseRequest {
  forMs: number | undefined;
  reason: string;
  silence: boolean;
}

/** How `pause` and `resume` tell a job of this host from a typo: the crontabs' root and the config's sections; `force` skips it. */
export type JobCheck = Omit<KnownJobSources, 'stateDir'> & { force: boolean };

/**
 * `cronwrap pause JOB [--for DUR] [--reason TEXT] [--silence]`: until it expires or `cronwrap resume JOB`,
 * runs of the job are skipped (exit 0, a `=== skip` record, history `paused`), or with `--silence` run
 * but alert and ping no one; `cronwrap check` does not call its runs missed. A job this host never saw
 * is refused (a typo would pause nothing while the real job runs) unless forced.
 */
export function runPause(stateDir: string, job: JobName, request: PauseRequest, check: JobCheck, io: Io): number {
  if (!check.force) refuseUnknownJob('pause', job, { ...check, stateDir });
  const now = io.now();
  const until = request.forMs === undefined ? null : now + request.forMs;
  try {
    makeDirs(join(stateDir, 'pauses'), 0o700);
    writePause(stateDir, job, { since: now, until, reason: request.reason, silence: request.silence, by: io.user });
  } catch (error) {
    print(io.stderr, `cronwrap: cannot pause ${job}: ${errorCode(error)} in ${stateDir}\n`);
    return 1;
  }
  const when = until === null ? 'until cronwrap resume' : `until ${localIso(until)}`;
  const what = request.silence ? 'its runs go on but alert no one' : 'its runs are skipped';
  print(io.stdout, `paused ${job} ${when}: ${what}\n`);
  return 0;
}

/** `cronwrap resume JOB`: ends a pause (saying so when there was none in force); a job this host never saw is refused unless forced. */
export function runResume(stateDir: string, job: JobName, check: JobCheck, io: Io): number {
  if (!check.force) refuseUnknownJob('resume', job, { ...check, stateDir });
  try {
    print(io.stdout, removePause(stateDir, job, io.now()) ? `resumed ${job}\n` : `${job} was not paused\n`);
    return 0;
  } catch (error) {
    print(io.stderr, `cronwrap: cannot resume ${job}: ${errorCode(error)} in ${stateDir}\n`);
    return 1;
  }
}
