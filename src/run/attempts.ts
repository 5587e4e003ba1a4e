import type { RunRecorder } from '../annotate/run-recorder.js';
import { withoutSecrets } from '../config/secrets.js';
import type { RunContext } from './context.js';
import { describeOutcome, isRetryable } from '../process/outcome.js';
import { prepareCommand } from '../process/output-buffering.js';
import type { AttemptsResult } from './run-values.js';
import { supervise } from '../process/supervise.js';

/** A signal passed on to the command's (or the heal's) process group, heard by the observers (the log notes it). */
export function notePassedOn(observers: RunContext['observers']): (signal: NodeJS.Signals, group: number) => void {
  return (signal, group) => observers.emit({ type: 'signal', signal, group });
}

/** The attempts so far followed by `next`: the last outcome, every attempt counted, every leftover kept. */
export function joinAttempts(before: AttemptsResult | undefined, next: AttemptsResult): AttemptsResult {
  if (!before) return next;
  return {
    outcome: next.outcome,
    attempts: before.attempts + next.attempts,
    drainExpired: before.drainExpired || next.drainExpired,
    leftovers: [...before.leftovers, ...next.leftovers],
    leftoversEnded: before.leftoversEnded || next.leftoversEnded,
  };
}

/** Runs the command as many times as `--retries` allows; supervise hands every read straight to `recorder`. */
export async function runAttempts(context: RunContext, recorder: RunRecorder, holdFor: (group: number) => void): Promise<AttemptsResult> {
  const { settings, command, io, interruptions, observers } = context;
  const prepared = prepareCommand(command, withoutSecrets(io.env), settings);
  let result: AttemptsResult | undefined;
  for (let attempt = 1; ; attempt++) {
    const run = await supervise(prepared.command, {
      drainMs: settings.drainMs,
      killAfterMs: settings.killAfterMs,
      timeoutMs: settings.timeoutMs,
      idleTimeoutMs: settings.idleTimeoutMs,
      keepLeftovers: settings.keepLeftovers,
      interruptions,
      env: prepared.env,
      onSpawn: holdFor,
      output: recorder,
      onPassedOn: notePassedOn(observers),
    });
    recorder.endStreams();
    result = joinAttempts(result, { ...run, attempts: 1 });
    if (!isRetryable(run.outcome) || attempt > settings.retries) return result;
    observers.emit({ type: 'retry', attempt: attempt + 1, after: describeOutcome(run.outcome), delayMs: settings.retryDelayMs });
    const signal = (await interruptions.sleep(settings.retryDelayMs)) ? interruptions.received : undefined;
    if (signal) return { ...result, outcome: { kind: 'interrupted', signal, command: run.outcome } };
  }
}
