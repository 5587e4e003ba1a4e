import type { MetaRecords, RunFooter } from '../annotate/record-format.js';
import { verdictByExit, type NeverEndedRun, type NotificationRecord } from '../state/history.js';
import type { StagesBefore } from '../run/events.js';
import { describeProcesses } from '../process/leftovers.js';
import type { RunHeader, RunSummary } from '../run/run-values.js';
import { formatDuration } from '../util/format.js';

/** The fields of a run's `=== start` record. */
export function headerRecord(header: RunHeader): MetaRecords['start'] {
  return { job: header.job, run: header.run, host: header.host, user: header.user, pid: header.pid, command: header.command, start: new Date(header.startMs).toISOString() };
}

/** `1234 sleep (ended by cronwrap)`: the processes the command left behind, for footers and reports. */
export function leftoversNote(summary: RunSummary): string | undefined {
  const list = describeProcesses(summary.leftovers);
  return list ? `${list} (${summary.leftoversEnded ? 'ended by cronwrap' : 'left running'})` : undefined;
}

/** One notification for the footer: `email failure: ok`, `pagerduty failure (trigger): HTTP 400 (kept)`, `ping: ok`. */
export function describeNotification(n: NotificationRecord): string {
  const result = n.ok ? 'ok' : `${n.error ?? 'failed'}${n.kept ? ' (kept)' : ''}`;
  return n.channel === 'ping' ? `ping: ${result}` : `${n.channel} ${n.kind}${n.resent ? ' resent' : ''}: ${result}`;
}

/** `run 1a2b3c4d5e6f started 2026-11-22T02:00:00.000Z (cronwrap pid 4242) never ended: ...`, for footers and `status`. */
export function describeNeverEnded(run: NeverEndedRun): string {
  return `run ${run.run} started ${run.start} (cronwrap pid ${run.pid}) never ended: its cronwrap was killed or the host went down`;
}

/** `waited_ms` for the footer and the history, when the run waited a millisecond or more before it could start. */
export function waitedField(summary: RunSummary): { waited_ms?: number } {
  const waited = Math.round(summary.waitedMs);
  return waited > 0 ? { waited_ms: waited } : {};
}

/** The footer: the summary, plus what the observers before it did (notifications, problems). */
export function footerRecord(summary: RunSummary, { results, problems }: StagesBefore, drainMs: number): RunFooter {
  const notifications = (results.alerts?.notifications ?? []).map(describeNotification);
  const left = leftoversNote(summary);
  const neverEnded = (results.never_ended ?? []).map(describeNeverEnded);
  const stageProblems = Object.fromEntries(problems.map(({ stage, problem }) => [`${stage}_problem`, problem] as const));
  return {
    job: summary.job,
    run: summary.run,
    exit: summary.exitCode,
    status: summary.status,
    signal: summary.signal,
    timed_out: summary.timedOut,
    ...(summary.idleTimedOut ? { idle: true } : {}),
    attempts: summary.attempts,
    end: new Date(summary.endMs).toISOString(),
    duration_ms: Math.round(summary.durationMs),
    ...waitedField(summary),
    stdout_lines: summary.out.lines,
    stdout_bytes: summary.out.bytes,
    stderr_lines: summary.err.lines,
    stderr_bytes: summary.err.bytes,
    ...(summary.out.notText > 0 ? { stdout_not_text_bytes: summary.out.notText } : {}),
    ...(summary.err.notText > 0 ? { stderr_not_text_bytes: summary.err.notText } : {}),
    not_logged_bytes: summary.log.bytesNotLogged,
    ...(summary.log.failure ? { not_logged_reason: summary.log.failure } : {}),
    ...(summary.live?.failure ? { not_shown_bytes: summary.live.bytesNotShown, not_shown_reason: summary.live.failure } : {}),
    ...(summary.drainExpired ? { drain_expired: `output pipes still open ${formatDuration(drainMs)} after exit; stopped reading` } : {}),
    ...(left ? { left_behind: left } : {}),
    ...(notifications.length > 0 ? { notifications: notifications.join('; ') } : {}),
    ...(summary.lockProblems.length > 0 ? { lock_problems: summary.lockProblems.join('; ') } : {}),
    ...(summary.silenced ? { silenced: summary.silenced } : {}),
    ...(summary.silencesProblem ? { silences_problem: summary.silencesProblem } : {}),
    ...(summary.durationWarning ? { duration_warning: summary.durationWarning } : {}),
    // Named only when a rule or a heal made it other than what the exit status says.
    ...(summary.verdict !== verdictByExit(summary.exitCode, summary.skipped, summary.stderrFailed) ? { verdict: summary.verdict } : {}),
    ...(summary.heal ? { heal: summary.heal.text } : {}),
    ...(neverEnded.length > 0 ? { never_ended: neverEnded.join('; ') } : {}),
    ...stageProblems,
  };
}
