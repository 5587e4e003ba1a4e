import type { RunRecorder } from '../annotate/run-recorder.js';
import { runAttempts } from './attempts.js';
import type { RunContext } from './context.js';
import type { ProcessInfo } from '../util/proc.js';
import { prepare, type Plan } from './prepare.js';
import type { AttemptsResult, HealReport, RunHeader, RunOutcome } from './run-values.js';
import { summarize } from './summary.js';
import { healAfter } from './heal.js';
import { checkDuration } from './duration-check.js';

const NO_LEFTOVERS: ProcessInfo[] = [];

/** After a stop signal, alerts and pushes still in flight get this long, then what is unsent is kept. */
const STOP_GRACE_MS = 3000;

/** The attempts of a run that never started (a signal, a busy lock). */
function neverRan(outcome: RunOutcome): AttemptsResult {
  return { outcome, attempts: 0, drainExpired: false, leftovers: NO_LEFTOVERS, leftoversEnded: false };
}

/** The attempts and any heal (`--on-failure`), with the locks released after them whatever happens; also what the release met. */
async function attemptWithLocks(context: RunContext, recorder: RunRecorder, plan: Extract<Plan, { go: true }>, run: string): Promise<[AttemptsResult, HealReport | undefined, string[]]> {
  context.observers.emit({ type: 'ready' });
  let released = false;
  try {
    const [attempts, heal] = await healAfter(context, recorder, await runAttempts(context, recorder, plan.holdFor), run, plan.holdFor);
    released = true;
    return [attempts, heal, await plan.release()];
  } finally {
    if (!released) await plan.release();
  }
}

/**
 * One run of a wrapped command, as a pipeline of values:
 *   prepare (jitter, host lock, fleet lock) → attempts (supervise, annotate) → heal → summary (verdict,
 *   duration check) → observers.
 * Observers hear the run's events as they happen and get the summary at the end, each behind the guard,
 * so nothing they do can change the exit status, which is always the job's. `startMono`: when the run
 * began (before the pause check, whose time counts as waited).
 */
export async function runJob(context: RunContext, recorder: RunRecorder, header: RunHeader, startMono = context.io.mono()): Promise<number> {
  const { io, observers } = context;
  observers.emit({ type: 'start', header });
  const plan = await prepare(context);
  // The run's duration is the job's: from here, not from the start, whatever jitter and locks took before.
  const readyMono = io.mono();
  const [attempts, heal, heldProblems] = plan.go ? await attemptWithLocks(context, recorder, plan, header.run) : [neverRan(plan.outcome), undefined, []];
  const judged = summarize({
    header,
    attempts,
    output: recorder.facts(),
    lockProblems: [...plan.lockProblems, ...heldProblems],
    endMs: io.now(),
    durationMs: io.mono() - readyMono,
    waitedMs: readyMono - startMono,
    startMonoMs: startMono,
    rules: context.settings,
    heal,
    paused: context.paused,
  });
  // A step of the run, as the verdict is: the observers read the warning from the summary.
  const durationWarning = checkDuration(judged, context.stateDir, context.job, context.settings.expectDuration);
  const summary = durationWarning ? { ...judged, durationWarning } : judged;
  await observers.end(summary, context.interruptions.stopAfter(STOP_GRACE_MS));
  return summary.exitCode;
}
