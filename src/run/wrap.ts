import { join, resolve } from 'node:path';
import { formatDuration } from '../cli/duration.js';
import { OPTIONS, type Settings } from '../cli/options.js';
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
import { defaultLogPath, stateDirectory } from '../state/paths.js';
import { Interruptions } from './interruptions.js';
import { jitterDelay } from './jitter.js';
import { describeProcesses, type ProcessInfo } from './leftovers.js';
import { commandSignal, describeOutcome, exitCodeOf, isRetryable, type Outcome } from './outcome.js';
import { prepareCommand } from './output-buffering.js';
import { newRunId } from './run-id.js';
import { supervise } from './supervise.js';
import { takeFleetLock } from './fleet-lock.js';
import { startMetrics, type MetricsRun } from './run-metrics.js';
import { alertAfterRun, describeNotifications, notificationRecords } from './run-alerts.js';
import { loadRemote } from '../remote/load.js';

/** What happened over all attempts of one run, beyond the outcome. */
interface RunFacts {
  attempts: number;
  /** What went wrong with the fleet lock (Redis unreachable, a failed renewal). */
  lockProblems: string[];
  drainExpired: boolean;
  leftovers: ProcessInfo[];
  leftoversEnded: boolean;
}

/** Runs a command under cronwrap (wrap mode) and returns cronwrap's exit status. */
export async function runWrapped(settings: Settings, job: string, command: readonly [string, ...string[]], io: Io, configErrors: readonly string[]): Promise<number> {
  const interruptions = new Interruptions();
  try {
    return await wrap(settings, job, command, io, interruptions, configErrors);
  } finally {
    interruptions.dispose();
  }
}

async function wrap(
  settings: Settings,
  job: string,
  command: readonly [string, ...string[]],
  io: Io,
  interruptions: Interruptions,
  configErrors: readonly string[],
): Promise<number> {
  const startWall = io.now();
  const startMono = io.mono();
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
  for (const problem of configErrors) recorder.meta('config', { job, problem, effect: 'ignored; built-in or other settings used' });

  const facts: RunFacts = { attempts: 0, lockProblems: [], drainExpired: false, leftovers: [], leftoversEnded: false };
  // The start ping goes out once the job may run (after jitter and lock), alongside it, never delaying it.
  let ping: { runId: string; started: Promise<unknown> } | undefined;
  let metrics: MetricsRun | undefined;
  const onStart = () => {
    if (settings.metricsDir || settings.metricsPush) metrics = startMetrics(settings, stateDir, job, io);
    if (!settings.ping) return;
    const notify = loadRemote();
    const runId = notify.newPingRunId();
    ping = { runId, started: notify.pingStart(settings.ping, runId) };
  };
  const outcome = await runAttempts(settings, command, io, job, stateDir, interruptions, recorder, facts, onStart);

  const exitCode = exitCodeOf(outcome);
  const status = describeOutcome(outcome);
  const durationMs = io.mono() - startMono;
  const endWall = io.now();
  const leftovers = describeProcesses(facts.leftovers);
  const leftoversNote = leftovers && `${leftovers} (${facts.leftoversEnded ? 'ended by cronwrap' : 'left running'})`;
  const out = recorder.counts('out');
  const err = recorder.counts('err');
  // A run without its fleet lock, or that lost it, is told to the failure channels even if the job succeeded.
  const lockTrouble = facts.lockProblems.length > 0 ? `fleet lock: ${facts.lockProblems.join('; ')}` : undefined;
  const failed = exitCode !== 0 || outcome.kind === 'lock-busy' || lockTrouble !== undefined;
  const alerts = await alertAfterRun(settings, io, stateDir, failed, ping, {
    job,
    host: io.host,
    user: io.user,
    run: context.run,
    command: [...command],
    start: new Date(startWall).toISOString(),
    end: new Date(endWall).toISOString(),
    durationMs,
    exitCode,
    status: lockTrouble && outcome.kind !== 'lock-busy' ? `${status}; ${lockTrouble}` : status,
    signal: commandSignal(outcome),
    timedOut: outcome.kind === 'timed-out',
    attempts: facts.attempts,
    logPath,
    head: recorder.head.lines(),
    tail: recorder.tail.lines(),
    totalLines: out.lines + err.lines,
  });
  const metricsProblem = metrics && (await metrics.finish(exitCode, durationMs));
  if (metricsProblem) warn(metricsProblem);
  const notifications = describeNotifications(alerts);
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
    ...(notifications.length > 0 ? { notifications: notifications.join('; ') } : {}),
    ...(facts.lockProblems.length > 0 ? { lock_problems: facts.lockProblems.join('; ') } : {}),
    ...(metricsProblem ? { metrics_problem: metricsProblem } : {}),
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
        notifications: notificationRecords(alerts, failed),
      },
      settings.historyLimit,
    );
  } catch (error) {
    warn(`cannot record the run in ${stateDir}: ${errorCode(error)}`);
  }

  if (alerts.undelivered && !settings.quiet) {
    // Cron mails stdout: the alert still reaches a person, and it is kept to be re-sent too.
    printOrWarn(`cronwrap: this alert could not be delivered on every channel (kept for the next run):\n\n${alerts.undelivered}`);
  }
  // Without alert channels, cron's own MAILTO mail of this report is the alert; with them, the policy decides.
  if (exitCode !== 0 && !settings.quiet && !alerts.alerting) {
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
      printOrWarn(report);
    }
  }
  return exitCode;
}

/** The job's environment: cronwrap's own secrets (SMTP password, routing key) are none of its business. */
function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = { ...env };
  for (const spec of OPTIONS) if (spec.secret && spec.env) delete clean[spec.env];
  return clean;
}

/** Prints on stdout, or says on stderr that it could not. */
function printOrWarn(text: string): void {
  try {
    writeAll(1, Buffer.from(text));
  } catch {
    warn('a report could not be printed on stdout');
  }
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
  onStart: () => void,
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
      const reason = 'another run of the job holds the lock';
      recorder.meta('skip', { job, reason, waited_ms: settings.lockWaitMs });
      return { kind: 'lock-busy', exitCode: settings.lockBusyExit, reason };
    }
  }
  const fleet = await takeFleetLock(settings, job, (ms) => interruptions.sleep(ms), facts.lockProblems);
  if (fleet.skip || interruptions.received) {
    lock?.release();
    await fleet.lock?.release();
    if (interruptions.received) return notStarted(interruptions.received);
    recorder.meta('skip', { job, reason: describeOutcome(fleet.skip!) });
    return fleet.skip!;
  }

  const prepared = prepareCommand(command, withoutSecrets(io.env), settings);
  onStart();
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
    if (fleet.lock) {
      await fleet.lock.release();
      for (const problem of new Set(fleet.lock.problems)) {
        facts.lockProblems.push(problem);
        warn(problem);
      }
    }
  }
}
