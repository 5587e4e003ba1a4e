import type { Pause } from '../state/pauses.js';
import type { Settings } from '../config/options.js';
import type { Io } from '../io.js';
import type { JobName } from '../util/job-name.js';
import type { Interruptions } from '../process/interruptions.js';
import type { GuardedObservers } from './observers.js';

/** What every step of one run is given. */
export interface RunContext {
  settings: Settings;
  job: JobName;
  command: readonly [string, ...string[]];
  io: Io;
  stateDir: string;
  interruptions: Interruptions;
  observers: GuardedObservers;
  /** `cronwrap pause JOB` in force when the run began. */
  pause: Pause | undefined;
}
