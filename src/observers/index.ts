import type { RunRecorder } from '../annotate/run-recorder.js';
import type { SyslogCopy } from '../annotate/syslog-copy.js';
import { jobSchedule } from '../config/job-schedule.js';
import type { Settings } from '../config/options.js';
import type { Io } from '../io.js';
import type { LogFile } from '../output/log-file.js';
import type { Observer } from '../run/events.js';
import type { JobName } from '../util/job-name.js';
import { alertsObserver } from './alerts.js';
import { runningObserver } from './running.js';
import { neverEndedObserver } from './never-ended.js';
import { historyObserver } from './history.js';
import { logRecordsObserver } from './log-records.js';
import { metricsObserver } from './metrics.js';
import { reportObserver } from './report.js';
import { syslogObserver } from './syslog.js';

export interface ObserverParts {
  settings: Settings;
  io: Io;
  stateDir: string;
  job: JobName;
  recorder: RunRecorder;
  log: LogFile;
  configErrors: readonly string[];
  /** The job is paused: its runs alert no one (and ping nothing), whether they are skipped or run silenced. */
  paused: boolean;
  /** The words of cronwrap's own commands: a crontab line that runs one is no job's. */
  subcommands: readonly string[];
  /** --syslog: the records' copy to syslog. */
  syslog?: SyslogCopy | undefined;
}

/**
 * Everything that reacts to a wrapped run, in the order they end: earlier runs that never ended, then alerts
 * and metrics, so that the history and the footer can tell how they went, and the stdout report last. A stage
 * that reads another's result (run/events.ts StageResults: never_ended, alerts) comes after it. A new reaction is one line here.
 */
export function observersFor({ settings, io, stateDir, job, recorder, log, configErrors, paused, subcommands, syslog }: ObserverParts): Observer[] {
  return [
    runningObserver(stateDir, job, settings.timeoutMs, io.now),
    neverEndedObserver(stateDir, job, io.now),
    paused ? undefined : alertsObserver(settings, io, stateDir, job, recorder),
    // The deadline needs the schedule even when only a crontab line says it (reading the crontabs, ~3 ms,
    // only for runs with metrics); the history records the one given (check and status read the crontabs).
    metricsObserver(settings, io, stateDir, job, () => jobSchedule(settings, job, io.user, subcommands)),
    // Before the history and the footer, which tell what syslog did not take.
    syslog ? syslogObserver(syslog) : undefined,
    historyObserver(stateDir, job, settings.historyLimit, settings.schedule),
    logRecordsObserver(recorder, log, configErrors, settings.drainMs, io.stderr),
    // A silenced run (cronwrap pause --silence) tells no one, not even cron's MAILTO.
    settings.quiet || paused ? undefined : reportObserver(io),
  ].filter((observer) => observer !== undefined);
}
