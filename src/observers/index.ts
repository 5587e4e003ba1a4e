import type { RunRecorder } from '../annotate/run-recorder.js';
import { jobSchedule } from '../config/job-schedule.js';
import { once } from '../util/once.js';
import type { Settings } from '../config/options.js';
import type { Io } from '../io.js';
import type { LogFile } from '../output/log-file.js';
import type { Observer } from '../run/events.js';
import { alertsObserver } from './alerts.js';
import { durationsObserver } from './durations.js';
import { runningObserver } from './running.js';
import { historyObserver } from './history.js';
import { logRecordsObserver } from './log-records.js';
import { metricsObserver } from './metrics.js';
import { reportObserver } from './report.js';

export interface ObserverParts {
  settings: Settings;
  io: Io;
  stateDir: string;
  job: string;
  recorder: RunRecorder;
  log: LogFile;
  configErrors: readonly string[];
}

/**
 * Everything that reacts to a wrapped run, in the order they end: the duration check, then alerts and metrics, so that the
 * history and the footer can tell how they went, and the stdout report last. A new reaction is one line here.
 */
export function observersFor({ settings, io, stateDir, job, recorder, log, configErrors }: ObserverParts): Observer[] {
  // Read at the end, once, and only by those who need it: finding it may read the host's crontabs.
  const schedule = once(() => jobSchedule(settings, job));
  return [
    runningObserver(stateDir, job, settings.timeoutMs),
    durationsObserver(stateDir, job, settings.expectDuration),
    alertsObserver(settings, io, stateDir, job),
    metricsObserver(settings, io, stateDir, job, schedule),
    historyObserver(stateDir, settings.historyLimit, schedule),
    logRecordsObserver(recorder, log, configErrors, settings.drainMs, io.stderr),
    settings.quiet ? undefined : reportObserver(io),
  ].filter((observer) => observer !== undefined);
}
