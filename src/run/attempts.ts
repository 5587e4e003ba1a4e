import type { RunRecorder } from '../annotate/run-recorder.js';
import { SECRET_VARIABLES } from '../config/options.js';
import type { RunContext } from './context.js';
import { describeOutcome, isRetryable } from './outcome.js';
import { prepareCommand } from './output-buffering.js';
import type { AttemptsResult } from './summary.js';
import { supervise } from './supervise.js';

/** The job's environment: cronwrap's own secrets (SMTP password, routing key) are none of its business. */
export function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = { ...env };
  for (const variable of SECRET_VARIABLES) delete clean[variable];
  return clean;
}

/** Runs the command as many times as `--retries` allows; every read is annotated by `recorder`. */
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
      onOutput: (stream, chunk) => {
        recorder.push(stream, chunk);
        observers.emit({ type: 'output', stream, chunk });
      },
    });
    recorder.endStreams();
    result = {
      outcome: run.outcome,
      attempts: attempt,
      drainExpired: run.drainExpired || result?.drainExpired === true,
      leftovers: [...(result?.leftovers ?? []), ...run.leftovers],
      leftoversEnded: run.leftoversEnded || result?.leftoversEnded === true,
    };
    if (!isRetryable(run.outcome) || attempt > settings.retries) return result;
    observers.emit({ type: 'retry', attempt: attempt + 1, after: describeOutcome(run.outcome), delayMs: settings.retryDelayMs });
    const signal = (await interruptions.sleep(settings.retryDelayMs)) ? interruptions.received : undefined;
    if (signal) return { ...result, outcome: { kind: 'interrupted', signal, command: run.outcome } };
  }
}
