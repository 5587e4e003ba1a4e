import { localIso } from '../annotate/timestamp.js';
import type { Verdict } from '../state/history.js';
import type { RunSummary } from '../run/run-values.js';
import { noteLines } from '../notify/notice.js';
import { commandText, formatDuration } from '../util/format.js';
import { leftoversNote } from './footer.js';
import { outputNotes } from './recording-notes.js';

/** How the report is headed: a skip (a busy lock with --lock-busy-exit) is no failure. */
const HEADING: Record<Verdict, string> = { ok: 'OK', warning: 'WARNING', failed: 'FAILED', skipped: 'SKIPPED' };

/** `, after waiting 5.0s (jitter, locks)`, when the run waited a noticeable while before it could start. */
function waitedNote(summary: RunSummary): string {
  return summary.waitedMs >= 1000 ? `, after waiting ${formatDuration(summary.waitedMs)} (jitter, locks)` : '';
}

/** The short report printed on stdout when a job fails under cron, so cron's MAILTO mail carries it. */
export function failureReport(summary: RunSummary): string {
  const { log, tail } = summary;
  const lines = [
    `cronwrap: job ${summary.job} ${HEADING[summary.verdict]} on ${summary.host}`,
    `command:  ${commandText(summary.command)}`,
    `status:   ${summary.status} (cronwrap exits ${summary.exitCode})`,
    `started:  ${localIso(summary.startMs)}`,
    `duration: ${formatDuration(summary.durationMs)}${summary.attempts > 1 ? ` over ${summary.attempts} attempts` : ''}${waitedNote(summary)}`,
    `log:      ${log.path}${log.failure ? ` (not written: ${log.failure}; output went to stderr)` : ''}`,
  ];
  const left = leftoversNote(summary);
  if (left) lines.push(`left behind: ${left}`);
  if (tail.length === 0) lines.push('', 'no output');
  else lines.push('', `last ${tail.length === 1 ? 'line' : `${tail.length} lines`} of output:`, ...tail.map((line) => `  ${line}`));
  const notes = outputNotes(summary);
  if (notes.length > 0) lines.push('', ...noteLines(notes));
  return `${lines.join('\n')}\n`;
}

/** The one line a person at a terminal gets when the job failed (the output was on the screen). */
export function failureLine(summary: RunSummary): string {
  return `job ${summary.job} ${summary.status} after ${formatDuration(summary.durationMs)}; log: ${summary.log.path}`;
}
