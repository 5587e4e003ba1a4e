import { formatDuration } from '../cli/duration.js';
import { shellQuote } from '../run/shell-quote.js';

/** What a person reading cron's mail needs to know about a failed run. */
export interface ReportFacts {
  job: string;
  command: readonly string[];
  host: string;
  status: string;
  exitCode: number;
  startText: string;
  durationMs: number;
  attempts: number;
  logPath: string;
  logFailure?: string;
  leftovers?: string;
  tail: readonly string[];
}

/** The short report printed on stdout when a job fails under cron, so cron's MAILTO mail carries it. */
export function buildFailureReport(facts: ReportFacts): string {
  const lines = [
    `cronwrap: job ${facts.job} FAILED on ${facts.host}`,
    `command:  ${facts.command.map(shellQuote).join(' ')}`,
    `status:   ${facts.status} (cronwrap exits ${facts.exitCode})`,
    `started:  ${facts.startText}`,
    `duration: ${formatDuration(facts.durationMs)}${facts.attempts > 1 ? ` over ${facts.attempts} attempts` : ''}`,
    `log:      ${facts.logPath}${facts.logFailure ? ` (not written: ${facts.logFailure}; output went to stderr)` : ''}`,
  ];
  if (facts.leftovers) lines.push(`left behind: ${facts.leftovers}`);
  if (facts.tail.length === 0) lines.push('', 'no output');
  else lines.push('', `last ${facts.tail.length === 1 ? 'line' : `${facts.tail.length} lines`} of output:`, ...facts.tail.map((line) => `  ${line}`));
  return `${lines.join('\n')}\n`;
}
