import { join } from 'node:path';
import { errorCode } from '../errors.js';
import { warn } from '../output/console.js';
import { formatDuration } from '../util/format.js';
import { waitForLock, type HeldLock } from '../state/lock.js';
import type { RunContext } from './context.js';
import { takeFleetLock } from './fleet-lock.js';
import { jitterDelay } from './jitter.js';
import { describeRunOutcome } from './run-outcome.js';
import type { RunOutcome } from './run-values.js';

/** Whether the command may start: with the locks to release after it, or the outcome of a run that never started. */
export type Plan =
  | { go: true; lockProblems: readonly string[]; holdFor(group: number): void; release(): Promise<string[]> }
  | { go: false; outcome: RunOutcome; lockProblems: readonly string[] };

const notStarted = (signal: NodeJS.Signals): RunOutcome => ({ kind: 'interrupted', signal, command: null });

/** The host's `--lock`: held, busy, or not to be had (the run goes on without it, as it always has). */
async function hostLock({ settings, job, stateDir, interruptions, io }: RunContext): Promise<HeldLock | 'busy' | undefined> {
  if (!settings.lock) return undefined;
  try {
    return (await waitForLock(join(stateDir, 'locks', 'jobs'), job, settings.lockWaitMs, (ms) => interruptions.sleep(ms))) ?? 'busy';
  } catch (error) {
    warn(io.stderr, `cannot take the lock in ${stateDir}: ${errorCode(error)}; running without it`);
    return undefined;
  }
}

/** A pause that skips (run/pause-check.ts), then jitter, the host lock, the fleet lock; a signal on the way means the command never starts. */
export async function prepare(context: RunContext): Promise<Plan> {
  const { settings, job, io, interruptions, observers } = context;
  const stop = (outcome: RunOutcome, lockProblems: readonly string[] = []): Plan => ({ go: false, outcome, lockProblems });
  if (context.paused.pause?.skip) {
    const { reason } = context.paused.pause;
    observers.emit({ type: 'skip', reason });
    return stop({ kind: 'paused', reason });
  }
  if (interruptions.received) return stop(notStarted(interruptions.received));
  const jitterMs = jitterDelay(io.host, job, settings.jitterMs);
  if (jitterMs > 0) {
    observers.emit({ type: 'wait', jitterMs });
    await interruptions.sleep(jitterMs);
  }
  if (interruptions.received) return stop(notStarted(interruptions.received));

  const host = await hostLock(context);
  if (interruptions.received) {
    if (host !== 'busy') host?.release();
    return stop(notStarted(interruptions.received));
  }
  if (host === 'busy') {
    const waited = settings.lockWaitMs > 0 ? ` (waited ${formatDuration(settings.lockWaitMs)} for it, --lock-wait)` : '';
    const reason = `another run of the job holds the lock${waited}`;
    observers.emit({ type: 'skip', reason, waitedMs: settings.lockWaitMs });
    return stop({ kind: 'lock-busy', exitCode: settings.lockBusyExit, reason });
  }

  const fleet = await takeFleetLock(settings, job, (ms) => interruptions.sleep(ms));
  if (fleet.warning) warn(io.stderr, fleet.warning);
  const release = async (): Promise<string[]> => {
    host?.release();
    if (fleet.state !== 'held') return [];
    await fleet.lock.release();
    const problems = [...new Set(fleet.lock.problems)];
    for (const problem of problems) warn(io.stderr, problem);
    return problems;
  };
  if (interruptions.received) {
    await release();
    return stop(notStarted(interruptions.received), fleet.problems);
  }
  if (fleet.state === 'skip') {
    await release();
    observers.emit({ type: 'skip', reason: describeRunOutcome(fleet.outcome) });
    return stop(fleet.outcome, fleet.problems);
  }
  return { go: true, lockProblems: fleet.problems, holdFor: (group) => host?.holdFor(group), release };
}
