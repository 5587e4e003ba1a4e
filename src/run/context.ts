import type { Settings } from '../config/options.js';
import type { Io } from '../io.js';
import type { JobName } from '../util/job-name.js';
import type { Interruptions } from '../process/interruptions.js';
import type { GuardedObservers } from './observers.js';
import type { PauseCheck } from './run-values.js';

/** What every step of one run is given. */
export interface RunContext {
  settings: Settings;
  job: JobName;
  command: readonly [string, ...string[]];
  io: Io;
  stateDir: string;
  interruptions: Interruptions;
  observers: GuardedObservers;
  /** `cronwrap pause JOB`, or an Alertmanager silence, in force when the run began (run/pause-check.ts). */
  paused: PauseCheck;
}
