import type { RunRecorder } from '../annotate/run-recorder.js';
import { errorCode } from '../errors.js';
import { clearHeals, healHeldBack, readHeals, recordHeal } from '../state/heals.js';
import { formatDuration } from '../util/format.js';
import { withoutSecrets } from '../config/secrets.js';
import { joinAttempts, notePassedOn, runAttempts } from './attempts.js';
import type { RunContext } from './context.js';
import { judge } from './judge.js';
import { describeOutcome, type Outcome } from '../process/outcome.js';
import { describeRunOutcome, runExitCode, runSignal } from './run-outcome.js';
import type { AttemptsResult, HealReport, RunOutcome } from './run-values.js';
import { supervise } from '../process/supervise.js';

/** The heal's own environment: the job's, and what failed. */
function healEnv(context: RunContext, failed: RunOutcome, logPath: string, run: string): NodeJS.ProcessEnv {
  const signal = runSignal(failed);
  return {
    ...withoutSecrets(context.io.env),
    CRONWRAP_JOB: context.job,
    CRONWRAP_EXIT: String(runExitCode(failed)),
    CRONWRAP_SIGNAL: signal ?? '',
    CRONWRAP_LOG: logPath,
    CRONWRAP_RUN: run,
  };
}

/** Runs the heal command in its own process group, its output annotated into the run's log. */
async function runHealCommand(context: RunContext, recorder: RunRecorder, command: string, failed: RunOutcome, run: string): Promise<{ outcome: Outcome; ms: number }> {
  const { settings, io, observers } = context;
  observers.emit({ type: 'heal', after: describeRunOutcome(failed), command });
  const started = io.mono();
  const healed = await supervise(['/bin/sh', '-c', command], {
    drainMs: settings.drainMs,
    killAfterMs: settings.killAfterMs,
    timeoutMs: settings.healTimeoutMs,
    idleTimeoutMs: undefined,
    keepLeftovers: false,
    interruptions: context.interruptions,
    env: healEnv(context, failed, recorder.facts().log.path, run),
    output: recorder,
    onPassedOn: notePassedOn(observers),
  });
  recorder.endStreams();
  return { outcome: healed.outcome, ms: io.mono() - started };
}

/**
 * `--on-failure`: after a failure of the job's own (not a skip, not a stop signal to cronwrap, not while
 * the job is paused), heal it
 * unless the cooldown or the daily budget holds the heal back; with `--heal-retry`, run the job once more
 * after a heal that exits 0. Only a run that succeeds without a heal clears the heal count: a re-run that
 * succeeded because of the heal is no proof the job is well, so cooldown and budget go on counting (a job
 * that needs a heal every run is escalated once they hold the heal back). The Nagios pattern: a failure the
 * heal fixed is a warning; a failed heal, a held-back one, or a failure again after an earlier heal is escalated.
 */
export async function healAfter(context: RunContext, recorder: RunRecorder, attempts: AttemptsResult, run: string, holdFor: (group: number) => void): Promise<[AttemptsResult, HealReport | undefined]> {
  const { settings, stateDir, job, io } = context;
  const command = settings.onFailure;
  // A job silenced for maintenance (cronwrap pause --silence, an Alertmanager silence) is not healed: a heal could undo the maintenance.
  if (!command || context.paused.pause) return [attempts, undefined];
  const failed = attempts.outcome;
  const { verdict } = judge(failed, recorder.facts().err.bytes, settings);
  if (verdict !== 'failed' || failed.kind === 'interrupted') {
    if (verdict === 'ok' || verdict === 'warning') clearQuietly(stateDir, job);
    return [attempts, undefined];
  }
  const now = io.now();
  const { state, problem: readProblem } = readHeals(stateDir, job, now);
  const heldBack = healHeldBack(state, { cooldownMs: settings.healCooldownMs, budget: settings.healBudget }, now);
  if (heldBack) return [attempts, { ran: false, exit: null, retried: false, helped: false, text: `not healed: ${heldBack}`, ...(readProblem ? { problem: readProblem } : {}) }];
  let problem = readProblem;
  try {
    recordHeal(stateDir, job, state, now);
  } catch (error) {
    problem = `cannot record the heal in ${stateDir}: ${errorCode(error)}`;
  }
  const heal = await runHealCommand(context, recorder, command, failed, run);
  const exit = heal.outcome.kind === 'exited' ? heal.outcome.code : null;
  const healText = `--on-failure ${exit === 0 ? 'exited 0' : describeOutcome(heal.outcome)} in ${formatDuration(heal.ms)}`;
  const withProblem = problem ? { problem } : {};
  // A heal since the last success did not stop this failure: this one will not be trusted either.
  const failedAgain = state.heals.length > 0 ? '; the job failed again after an earlier heal' : '';
  if (exit !== 0 || context.interruptions.received || !settings.healRetry) {
    const helped = exit === 0 && !failedAgain && !context.interruptions.received;
    return [attempts, { ran: true, exit, retried: false, helped, text: `${helped ? 'healed' : 'not healed'}: ${healText}${failedAgain}`, ...withProblem }];
  }
  context.observers.emit({ type: 'retry', attempt: attempts.attempts + 1, after: 'the heal exited 0 (--heal-retry)', delayMs: 0 });
  const errBefore = recorder.facts().err.bytes;
  const again = await runAttempts({ ...context, settings: { ...settings, retries: 0 } }, recorder, holdFor);
  const rerun = judge(again.outcome, recorder.facts().err.bytes - errBefore, settings).verdict;
  const helped = rerun === 'ok' || rerun === 'warning';
  const combined = joinAttempts(attempts, again);
  const rerunText = helped ? 'the re-run succeeded' : `the re-run ${describeRunOutcome(again.outcome)}`;
  return [combined, { ran: true, exit, retried: true, helped, text: `${helped ? 'healed' : 'not healed'}: ${healText}; ${rerunText}`, ...withProblem }];
}

/** Clears the heal count after a success without a heal; a state dir that will not take it only leaves an old count. */
function clearQuietly(stateDir: string, job: string): void {
  try {
    clearHeals(stateDir, job);
  } catch {
    // The next heal reads an older count: at worst one heal fewer today.
  }
}
