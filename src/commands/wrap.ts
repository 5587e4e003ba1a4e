import { resolve } from 'node:path';
import { jsonFormat, textFormat } from '../annotate/record-format.js';
import { RunRecorder } from '../annotate/run-recorder.js';
import { syslogCopy } from '../annotate/syslog-copy.js';
import { createStamper, rfc3339Clock } from '../annotate/timestamp.js';
import type { Settings } from '../config/options.js';
import type { Io } from '../io.js';
import { observersFor, type ObserverParts } from '../observers/index.js';
import { SUBCOMMAND_NAMES } from './index.js';
import { ConsoleOutput, warn } from '../output/console.js';
import { openRunLog } from '../output/log-file.js';
import { outputWriter } from '../output/terminal-safe.js';
import { Interruptions } from '../process/interruptions.js';
import type { Observer } from '../run/events.js';
import { GuardedObservers } from '../run/observers.js';
import { checkPause } from '../run/pause-check.js';
import { runJob } from '../run/wrap.js';
import { defaultLogPath, stateDirectory } from '../state/paths.js';
import type { JobName } from '../util/job-name.js';
import { tryMakeDirs } from '../util/make-dirs.js';
import { preciseWallAnchor } from '../util/monotonic.js';
import { newRunId } from '../util/run-id.js';

/**
 * Wrap mode: sets up the run's log, output and observers, runs the command, returns cronwrap's exit status.
 * `makeObservers` is the list of reactions (tests swap one for a failing one).
 */
export async function runWrapped(
  settings: Settings,
  job: JobName,
  command: readonly [string, ...string[]],
  io: Io,
  configErrors: readonly string[],
  makeObservers: (parts: ObserverParts) => Observer[] = observersFor,
): Promise<number> {
  const header = { job, run: newRunId(), host: io.host, user: io.user, pid: process.pid, command, startMs: io.now() };
  const stateDir = stateDirectory(settings.stateDir, io.env, io.uid);
  const logPath = resolve(settings.log ?? defaultLogPath(job, settings.logDir, stateDir, io.uid));
  // Made first and private (0700): the default log dir of a user sits inside it and would make it 0750.
  // A state dir that cannot be made is said by the observers that need it.
  tryMakeDirs(stateDir, 0o700);
  const showLive = settings.tee || (!settings.quiet && io.stdoutIsTTY);
  const onStdoutFailure = (reason: string) => warn(io.stderr, `${reason}; the output is no longer printed there, the job goes on`);
  const console = showLive ? new ConsoleOutput(outputWriter(io.stdout, io.stdoutIsTTY), onStdoutFailure) : undefined;
  const log = openRunLog(logPath, console, io.stderr);
  const syslog = syslogCopy(settings, { job, run: header.run, host: io.host, pid: process.pid }, io.now);
  const recorder = new RunRecorder({
    io,
    format: settings.json ? jsonFormat({ job, run: header.run, host: io.host }, rfc3339Clock(settings.timestamp, io.now)) : textFormat,
    stamper: createStamper(settings.timestamp, io.mono(), () => preciseWallAnchor(io.now)),
    log,
    console,
    copy: syslog,
  });
  const interruptions = new Interruptions();
  try {
    const startMono = io.mono(); // asking Alertmanager counts as waited, as jitter and locks do
    const paused = await checkPause(settings, stateDir, job, io, interruptions);
    const observers = new GuardedObservers(makeObservers({ settings, io, stateDir, job, recorder, log, configErrors, paused: paused.pause !== undefined, subcommands: SUBCOMMAND_NAMES, syslog }), io.stderr);
    return await runJob({ settings, job, command, io, stateDir, interruptions, observers, paused }, recorder, header, startMono);
  } finally {
    interruptions.dispose();
    await syslog?.close();
  }
}
