import type { StagesBefore } from '../run/events.js';
import type { RunSummary } from '../run/run-values.js';
import type { RunRecord } from '../state/history.js';
import { waitedField } from './footer.js';
import { recordingNotes } from './recording-notes.js';

/**
 * The run as kept in the job's history, with the job's schedule when one was given (--schedule), and its
 * start on the monotonic clock of the boot `boot` (when known), which orders runs across a wall-clock step.
 */
export function historyRecord(summary: RunSummary, { results, problems }: StagesBefore, schedule?: string, boot?: string): RunRecord {
  const neverEnded = results.never_ended ?? [];
  const notes = recordingNotes(summary);
  const stageProblems = problems.map(({ stage, problem }) => `${stage}: ${problem}`);
  const allProblems = summary.silencesProblem ? [`silences: ${summary.silencesProblem}`, ...stageProblems] : stageProblems;
  return {
    job: summary.job,
    run: summary.run,
    host: summary.host,
    start: new Date(summary.startMs).toISOString(),
    end: new Date(summary.endMs).toISOString(),
    duration_ms: Math.round(summary.durationMs),
    ...waitedField(summary),
    ...(boot ? { monotonic: { boot, start_us: Math.round(summary.startMonoMs * 1000) } } : {}),
    exit: summary.exitCode,
    signal: summary.signal,
    timed_out: summary.timedOut,
    ...(summary.idleTimedOut ? { idle_timed_out: true } : {}),
    log: summary.log.path,
    attempts: summary.attempts,
    lock_skipped: summary.skipped && !summary.paused,
    ...(summary.paused ? { paused: true } : {}),
    ...(summary.silenced ? { silenced: summary.silenced } : {}),
    ...(summary.stderrFailed ? { stderr_failed: true } : {}),
    verdict: summary.verdict,
    ...(summary.heal ? { heal: { ran: summary.heal.ran, exit: summary.heal.exit, retried: summary.heal.retried, helped: summary.heal.helped, text: summary.heal.text } } : {}),
    ...(schedule ? { schedule } : {}),
    leftovers: summary.leftovers.map((p) => `${p.pid} ${p.name}`),
    leftovers_ended: summary.leftoversEnded,
    notifications: [...(results.alerts?.notifications ?? [])],
    ...(summary.durationWarning ? { duration_warning: summary.durationWarning } : {}),
    ...(neverEnded.length > 0 ? { never_ended: [...neverEnded] } : {}),
    ...(notes.length > 0 ? { notes } : {}),
    ...(allProblems.length > 0 ? { problems: allProblems } : {}),
  };
}
