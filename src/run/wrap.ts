import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { formatDuration } from '../cli/duration.js';
import type { Settings } from '../cli/options.js';
import type { Io } from '../io.js';
import { jsonFormat, textFormat, type RecordContext } from '../annotate/record-format.js';
import { RunRecorder } from '../annotate/run-recorder.js';
import { createStamper, localIso } from '../annotate/timestamp.js';
import { ConsoleOutput, warn } from '../output/console.js';
import { errorCode, writeAll } from '../output/fd-writer.js';
import { openRunLog } from '../output/log-file.js';
import { buildFailureReport } from '../report/failure-report.js';
import { appendHistory } from '../state/history.js';
import { defaultJobName, defaultLogPath, stateDirectory } from '../state/paths.js';
import { describeProcesses } from './leftovers.js';
import { commandSignal, describeOutcome, exitCodeOf } from './outcome.js';
import { supervise } from './supervise.js';

/** Runs a command under cronwrap (wrap mode) and returns cronwrap's exit status. */
export async function runWrapped(settings: Settings, command: readonly [string, ...string[]], io: Io): Promise<number> {
  const startWall = io.now();
  const startMono = io.mono();
  const job = settings.name ?? defaultJobName(settings.shell !== undefined ? (settings.shell.trim().split(/\s+/)[0] ?? 'sh') : command[0]);
  const context: RecordContext = { job, run: randomBytes(6).toString('hex'), host: io.host };
  const stateDir = stateDirectory(settings.stateDir, io.env, io.uid);
  const logPath = resolve(settings.log ?? defaultLogPath(job, settings.logDir, stateDir, io.uid));

  const showLive = settings.tee || (!settings.quiet && io.stdoutIsTTY);
  const console = showLive ? new ConsoleOutput(1) : undefined;
  const log = openRunLog(logPath, console);
  const recorder = new RunRecorder({
    io,
    format: settings.json ? jsonFormat(context) : textFormat,
    stamper: createStamper(settings.timestamp, startMono),
    log,
    console,
  });
  recorder.meta('start', { job, run: context.run, host: io.host, user: io.user, pid: process.pid, command, start: new Date(startWall).toISOString() });

  const run = await supervise(command, {
    drainMs: settings.drainMs,
    killAfterMs: settings.killAfterMs,
    onOutput: (tag, chunk) => recorder.push(tag, chunk),
  });
  recorder.endStreams();

  const exitCode = exitCodeOf(run.outcome);
  const status = describeOutcome(run.outcome);
  const durationMs = io.mono() - startMono;
  const endWall = io.now();
  const leftovers = describeProcesses(run.leftovers);
  const out = recorder.counts('out');
  const err = recorder.counts('err');
  const logResult = log.result;
  recorder.meta('end', {
    job,
    run: context.run,
    exit: exitCode,
    status,
    signal: commandSignal(run.outcome),
    timed_out: false,
    end: new Date(endWall).toISOString(),
    duration_ms: Math.round(durationMs),
    stdout_lines: out.lines,
    stdout_bytes: out.bytes,
    stderr_lines: err.lines,
    stderr_bytes: err.bytes,
    not_logged_bytes: logResult.bytesNotLogged,
    ...(logResult.failure ? { not_logged_reason: logResult.failure } : {}),
    ...(run.drainExpired ? { drain_expired: `output pipes still open ${formatDuration(settings.drainMs)} after exit; stopped reading` } : {}),
    ...(leftovers ? { left_behind: leftovers } : {}),
  });
  log.close();
  if (logResult.failure) warn(`${logResult.bytesNotLogged} bytes were not logged to ${logPath} (${logResult.failure}); they went to stderr`);

  try {
    appendHistory(stateDir, {
      job,
      run: context.run,
      host: io.host,
      start: new Date(startWall).toISOString(),
      end: new Date(endWall).toISOString(),
      duration_ms: Math.round(durationMs),
      exit: exitCode,
      signal: commandSignal(run.outcome),
      timed_out: false,
      log: logPath,
    });
  } catch (error) {
    warn(`cannot record the run in ${stateDir}: ${errorCode(error)}`);
  }

  if (exitCode !== 0 && !settings.quiet) {
    if (io.stdoutIsTTY) {
      warn(`job ${job} ${status} after ${formatDuration(durationMs)}; log: ${logPath}`);
    } else {
      const report = buildFailureReport({
        job,
        command,
        host: io.host,
        status,
        exitCode,
        startText: localIso(startWall),
        durationMs,
        logPath,
        ...(logResult.failure ? { logFailure: logResult.failure } : {}),
        ...(leftovers ? { leftovers } : {}),
        tail: recorder.tail.lines(),
      });
      try {
        writeAll(1, Buffer.from(report));
      } catch {
        warn(`job ${job} ${status}; the report could not be printed on stdout`);
      }
    }
  }
  return exitCode;
}
