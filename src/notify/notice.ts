import { commandText, formatDuration } from '../util/format.js';

/** Why a person is told: the policy's decision for a run, or `cronwrap test-alert`. */
export type NoticeKind = 'failure' | 'reminder' | 'skipped' | 'missed' | 'stuck' | 'warning' | 'recovery' | 'success' | 'test';

/**
 * Everything an alert says about a run. It holds no secret, so it can be kept in the spool as it is and
 * sent again later with credentials read afresh.
 */
export interface Notice {
  /** Unique per notice, for de-duplication in the spool. */
  id: string;
  kind: NoticeKind;
  job: string;
  host: string;
  user: string;
  run: string;
  command: string[];
  start: string;
  end: string;
  durationMs: number;
  exitCode: number;
  /** The outcome in words (`failed with exit status 2`). */
  status: string;
  signal: string | null;
  timedOut: boolean;
  attempts: number;
  consecutiveFailures: number;
  /** On a `skipped` notice: the runs in a row that found the lock busy. */
  consecutiveSkips?: number;
  logPath: string;
  /** Why the log could not be written: then the alert says so instead of sending its reader there. */
  logProblem?: string;
  /** What the reader must know about the output shown (binary bytes, a --tee that failed). */
  notes?: string[];
  head: string[];
  tail: string[];
  /** Lines of output in all. */
  totalLines: number;
}

const HEADLINE: Record<NoticeKind, string> = {
  failure: 'FAILED',
  reminder: 'STILL FAILING',
  skipped: 'SKIPPED',
  missed: 'MISSED',
  stuck: 'STUCK',
  warning: 'WARNING',
  recovery: 'RECOVERED',
  success: 'succeeded',
  test: 'TEST ALERT',
};

/** CR, LF and other controls out, so a job name or output line can never start a new mail header. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** What the subject adds in brackets after the headline. */
function subjectDetail(notice: Notice): string {
  switch (notice.kind) {
    case 'failure':
    case 'reminder':
      return ` (${notice.timedOut ? 'timed out' : notice.exitCode === 0 ? notice.status.slice(0, 120) : `exit ${notice.exitCode}`}${notice.consecutiveFailures > 1 ? `, ${notice.consecutiveFailures} failures in a row` : ''})`;
    case 'missed':
      return ` (due ${notice.start})`;
    case 'stuck':
      return ` (running since ${notice.start})`;
    case 'warning': {
      // A heal's own text has parts too (`healed: --on-failure exited 0 in 1.2s; the re-run succeeded`): all of it.
      const healed = notice.status.indexOf('healed: ');
      return ` (${(healed >= 0 ? notice.status.slice(healed) : (notice.status.split('; ').at(-1) ?? '')).slice(0, 120)})`;
    }
    case 'skipped':
      return ` (${notice.consecutiveSkips ?? 1} runs in a row: ${notice.status.replace(/^skipped: /, '').slice(0, 120)})`;
    default:
      return '';
  }
}

/** `[cronwrap] backup FAILED on db1 (exit 2)`. */
export function subjectOf(notice: Notice): string {
  const detail = subjectDetail(notice);
  return oneLine(`[cronwrap] ${notice.job} ${HEADLINE[notice.kind]} on ${notice.host}${detail}`);
}

/** All the output, when head and tail together hold all of it (they overlap then). */
export function outputLines({ head, tail, totalLines }: Notice): string[] {
  return totalLines <= tail.length ? tail : [...head, ...tail.slice(head.length + tail.length - totalLines)];
}

/** The output excerpt: both ends when there is more than both hold, and a line saying how much is shown. */
export function outputExcerpt(notice: Notice): string[] {
  const { head, tail, totalLines } = notice;
  if (totalLines === 0) return ['(no output)'];
  if (head.length + tail.length === 0) return [totalLines === 1 ? 'the one line of output is not shown here' : `none of the ${totalLines} lines of output is shown here`];
  if (totalLines <= head.length + tail.length) {
    return [totalLines === 1 ? 'the only line of output:' : `all ${totalLines} lines of output:`, ...outputLines(notice).map((l) => `  ${l}`)];
  }
  return [
    `showing ${head.length > 0 ? `first ${head.length} and ` : ''}last ${tail.length} of ${totalLines} lines of output:`,
    ...head.map((l) => `  ${l}`),
    '  ...',
    ...tail.map((l) => `  ${l}`),
  ];
}

/** Where to look for the whole output: the log's path, or why the log was not written. */
export function logText(notice: Notice): string {
  return notice.logProblem ? `NOT written: ${notice.logProblem}` : notice.logPath;
}

/** Notes on the output (a notice's, a failure report's) as lines, after the output excerpt. */
export function noteLines(notes: readonly string[] = []): string[] {
  return notes.map((note) => `note: ${note}`);
}

/** The plain-text body of a mail (and the text of a Slack message). */
export function bodyOf(notice: Notice): string {
  const head = [
    notice.kind === 'test' ? 'This is a test alert sent by `cronwrap test-alert`; nothing failed.' : subjectOf(notice).replace('[cronwrap] ', ''),
    '',
    `job:      ${notice.job}`,
    ...(notice.command.length > 0 ? [`command:  ${commandText(notice.command)}`] : []),
    `host:     ${notice.host}`,
    `user:     ${notice.user}`,
  ];
  // A missed run never started, a stuck one has not ended: what was due and when it was found, not a run's duration, exit and output.
  const run =
    notice.kind === 'missed' || notice.kind === 'stuck'
      ? [`due:      ${notice.start}`, `checked:  ${notice.end}`, `status:   ${notice.status}`, `log:      ${notice.logPath}`]
      : [
          `start:    ${notice.start}`,
          `end:      ${notice.end}`,
          `duration: ${formatDuration(notice.durationMs)}${notice.attempts > 1 ? ` over ${notice.attempts} attempts` : ''}`,
          `status:   ${notice.status}${notice.status.includes(`(exit ${notice.exitCode})`) ? '' : ` (exit ${notice.exitCode})`}`,
          `log:      ${logText(notice)}`,
          `run:      ${notice.run}`,
          '',
          ...outputExcerpt(notice),
          ...(notice.notes?.length ? ['', ...noteLines(notice.notes)] : []),
        ];
  return `${[...head, ...run].join('\n')}\n`;
}
