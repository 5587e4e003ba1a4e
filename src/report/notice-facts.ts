import type { NoticeFacts } from '../notify/index.js';
import type { RunSummary } from '../run/run-values.js';
import { outputNotes } from './recording-notes.js';

/**
 * The run as an alert tells it; a run that ran without its fleet lock, or lost it, says so in its status;
 * a log that could not be written, binary output and a failed --tee are said too.
 */
export function noticeFacts(summary: RunSummary): NoticeFacts {
  const notes = outputNotes(summary);
  const lockTrouble = summary.lockProblems.length > 0 && !summary.skipped ? `; fleet lock: ${summary.lockProblems.join('; ')}` : '';
  return {
    job: summary.job,
    host: summary.host,
    user: summary.user,
    run: summary.run,
    command: [...summary.command],
    start: new Date(summary.startMs).toISOString(),
    end: new Date(summary.endMs).toISOString(),
    durationMs: summary.durationMs,
    exitCode: summary.exitCode,
    status: `${summary.status}${lockTrouble}`,
    signal: summary.signal,
    timedOut: summary.timedOut,
    attempts: summary.attempts,
    logPath: summary.log.path,
    ...(summary.log.failure ? { logProblem: summary.log.failure } : {}),
    ...(notes.length > 0 ? { notes } : {}),
    head: summary.head,
    tail: summary.tail,
    totalLines: summary.out.lines + summary.err.lines,
  };
}
