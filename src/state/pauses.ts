import { rmSync } from 'node:fs';
import { isBoolean, isNumber, isString, nullable, shape } from '../util/check.js';
import type { JobName } from '../util/job-name.js';
import { jobStatePath, readJobState, writeJobState } from './job-state.js';

/** `cronwrap pause JOB`: runs are skipped (or, with `silence`, run but alert no one) until `until` (null: until resumed). */
export interface Pause {
  since: number;
  until: number | null;
  reason: string;
  silence: boolean;
  by: string;
}

const NONE: Pause = { since: 0, until: null, reason: '', silence: false, by: '' };
const isPause = shape<Pause>({ since: isNumber, until: nullable(isNumber), reason: isString, silence: isBoolean, by: isString });

/** The job's pause in force at `now`, if any: one that has expired, or an unusable file, is no pause. */
export function activePause(stateDir: string, job: JobName, now: number): Pause | undefined {
  const { state } = readJobState(stateDir, 'pauses', job, NONE, isPause, now);
  if (state.since === 0 || (state.until !== null && state.until <= now)) return undefined;
  return state;
}

export function writePause(stateDir: string, job: JobName, pause: Pause): void {
  writeJobState(stateDir, 'pauses', job, pause);
}

/** Ends a pause; false when there was none in force. */
export function removePause(stateDir: string, job: JobName, now: number): boolean {
  const was = activePause(stateDir, job, now) !== undefined;
  rmSync(jobStatePath(stateDir, 'pauses', job), { force: true });
  return was;
}
