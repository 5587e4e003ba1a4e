import { join, resolve } from 'node:path';
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
import { waitForLock } from '../state/lock.js';
import { defaultJobName, defaultLogPath, stateDirectory } from '../state/paths.js';
import { Interruptions } from './interruptions.js';
import { jitterDelay } from './jitter.js';
import { describeProcesses, type ProcessInfo } from './leftovers.js';
import { commandSignal, describeOutcome, exitCodeOf, isRetryable, type Outcome } from './outcome.js';
import { prepareCommand } from './output-buffering.js';
import { newRunId } from './run-id.js';
import { supervise } from './supervise.js';

/** What happened over all attempts of one run, beyond the outcome. */
interface RunFacts {
  attempts: number;
  drainExpired: boolean;
  leftovers: ProcessInfo[];
  leftoversEnded: boolean;
}

/** Runs a command under cronwrap (wrap mode) and returns cronwrap's exit status. */
export async function runWrapped(settings: Settings, command: readonly [string, ...string[]], io: Io): Promise<number> {
  const interruptions = new Interruptions();
  try {
    return await wrap(settings, command, io, interruptions);
  } finally {
    interruptions.dispose();
  }
}

async function wrap(settings: Settings, command: readonly [string, ...string[]], io: Io, interruptions: Interruptions): Promise<number> {
  const startWall = io.now();
  const startMono = io.mono();
  const job = settings.name ?? defaultJobName(settings.shell !== undefined ? (settings.shell.trim().split(/\s+/)[0] ?? 'sh') : command[0]);
  const context: RecordContext = { job, run: newRunId(), host: io.host };
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

  const facts: RunFacts = { attempts: 0, drainExpired: false, leftovers: [], leftoversEnded: false };
  const outcome = await runAttempts(settings, command, io, job, stateDir, interruptions, recorder, facts);

  const exitCode = exitCodeOf(outcome);
  const status = describeOutcome(outcome);
  const durationMs = io.mono() - startMono;
  const endWall = io.now();
  const leftovers = describeProcesses(facts.leftovers);
  const leftoversNote = leftovers && `${leftovers} (${facts.leftoversEnded ? 'ended by cronwrap' : 'left running'})`;
  const out = recorder.counts('out');
  const err = recorder.counts('err');
  const logResult = log.result;
  recorder.meta('end', {
    job,
    run: context.run,
    exit: exitCode,
    status,
    signal: commandSignal(outcome),
    timed_out: outcome.kind === 'timed-out',
    attempts: facts.attempts,
    end: new Date(endWall).toISOString(),
    duration_ms: Math.round(durationMs),
    stdout_lines: out.lines,
    stdout_bytes: out.bytes,
    stderr_lines: err.lines,
    stderr_bytes: err.bytes,
    not_logged_bytes: logResult.bytesNotLogged,
    ...(logResult.failure ? { not_logged_reason: logResult.failure } : {}),
    ...(facts.drainExpired ? { drain_expired: `output pipes still open ${formatDuration(settings.drainMs)} after exit; stopped reading` } : {}),
    ...(leftoversNote ? { left_behind: leftoversNote } : {}),
  });
  log.close();
  if (logResult.failure) warn(`${logResult.bytesNotLogged} bytes were not logged to ${logPath} (${logResult.failure}); they went to stderr`);

  try {
    appendHistory(
      stateDir,
      {
        job,
        run: context.run,
        host: io.host,
        start: new Date(startWall).toISOString(),
        end: new Date(endWall).toISOString(),
        duration_ms: Math.round(durationMs),
        exit: exitCode,
        signal: commandSignal(outcome),
        timed_out: outcome.kind === 'timed-out',
        log: logPath,
        attempts: facts.attempts,
        lock_skipped: outcome.kind === 'lock-busy',
        leftovers: facts.leftovers.map((p) => `${p.pid} ${p.name}`),
        leftovers_ended: facts.leftoversEnded,
      },
      settings.historyLimit,
    );
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
        attempts: facts.attempts,
        logPath,
        ...(logResult.failure ? { logFailure: logResult.failure } : {}),
        ...(leftoversNote ? { leftovers: leftoversNote } : {}),
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

/** Jitter, lock, then the command as many times as `--retries` allows. */
async function runAttempts(
  settings: Settings,
  command: readonly [string, ...string[]],
  io: Io,
  job: string,
  stateDir: string,
  interruptions: Interruptions,
  recorder: RunRecorder,
  facts: RunFacts,
): Promise<Outcome> {
  const notStarted = (signal: NodeJS.Signals): Outcome => ({ kind: 'interrupted', signal, command: null });
  const delayMs = jitterDelay(io.host, job, settings.jitterMs);
  if (delayMs > 0) {
    recorder.meta('wait', { job, jitter_ms: delayMs });
    await interruptions.sleep(delayMs);
  }
  if (interruptions.received) return notStarted(interruptions.received);

  let lock;
  if (settings.lock) {
    let busy = false;
    try {
      lock = await waitForLock(join(stateDir, 'locks', 'jobs'), job, settings.lockWaitMs, (ms) => interruptions.sleep(ms));
      busy = !lock;
    } catch (error) {
      warn(`cannot take the lock in ${stateDir}: ${errorCode(error)}; running without it`);
    }
    if (interruptions.received) {
      lock?.release();
      return notStarted(interruptions.received);
    }
    if (busy) {
      recorder.meta('skip', { job, reason: 'another run of the job holds the lock', waited_ms: settings.lockWaitMs });
      return { kind: 'lock-busy', exitCode: settings.lockBusyExit };
    }
  }

  const prepared = prepareCommand(command, io.env, settings);
  try {
    for (;;) {
      facts.attempts++;
      const run = await supervise(prepared.command, {
        drainMs: settings.drainMs,
        killAfterMs: settings.killAfterMs,
        timeoutMs: settings.timeoutMs,
        keepLeftovers: settings.keepLeftovers,
        interruptions,
        env: prepared.env,
        onOutput: (tag, chunk) => recorder.push(tag, chunk),
      });
      recorder.endStreams();
      facts.drainExpired ||= run.drainExpired;
      facts.leftovers.push(...run.leftovers);
      facts.leftoversEnded ||= run.leftoversEnded;
      if (!isRetryable(run.outcome) || facts.attempts > settings.retries) return run.outcome;
      recorder.meta('retry', { job, attempt: facts.attempts + 1, after: describeOutcome(run.outcome), delay_ms: settings.retryDelayMs });
      if (await interruptions.sleep(settings.retryDelayMs)) return { kind: 'interrupted', signal: interruptions.received!, command: run.outcome };
    }
  } finally {
    lock?.release();
  }
}
