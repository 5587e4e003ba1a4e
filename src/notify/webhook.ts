import { sendWithRetry, type Budget, type Delivery } from '../net/http.js';
import { commandText, redactUrl } from '../util/format.js';
import type { WebhookChannel } from './channels.js';
import { logText, noteLines, subjectOf, type Notice } from './notice.js';

/** The JSON run report a webhook receives. */
function webhookReport(notice: Notice): Record<string, unknown> {
  return {
    source: 'cronwrap',
    kind: notice.kind,
    summary: subjectOf(notice),
    job: notice.job,
    host: notice.host,
    user: notice.user,
    run: notice.run,
    command: notice.command,
    status: notice.status,
    exit: notice.exitCode,
    signal: notice.signal,
    timed_out: notice.timedOut,
    attempts: notice.attempts,
    consecutive_failures: notice.consecutiveFailures,
    ...(notice.consecutiveSkips === undefined ? {} : { consecutive_skips: notice.consecutiveSkips }),
    start: notice.start,
    end: notice.end,
    duration_ms: Math.round(notice.durationMs),
    log: notice.logPath,
    ...(notice.logProblem ? { log_not_written: notice.logProblem } : {}),
    ...(notice.notes ? { notes: notice.notes } : {}),
    output: { total_lines: notice.totalLines, head: notice.head, tail: notice.tail },
  };
}

const SLACK_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Text as Slack shows it, never as its markup: `&`, `<` and `>` become entities, as Slack's formatting
 * reference asks, so output such as `<!channel>`, `<@U024BE7LH>` or `<https://x|click>` makes no mention
 * and no link. A bare `@here` is left as it is: Slack links names only when the post asks for it
 * (`link_names`, `parse=full`), and this one never does.
 */
export function slackText(text: string): string {
  return text.replace(/[&<>]/g, (c) => SLACK_ENTITIES[c]!);
}

/** A Slack-compatible message: `{"text": ...}`, the command, and the last lines in a code block; all of it text from the run, escaped. */
function slackMessage(notice: Notice): Record<string, unknown> {
  const tail = notice.tail.slice(-10).join('\n').replace(/```/g, "'''");
  const command = notice.command.length > 0 ? [`command: ${commandText(notice.command)}`] : [];
  const lines = [subjectOf(notice), ...command, `${notice.status}; log ${logText(notice)}`, ...(tail ? ['```', tail, '```'] : []), ...noteLines(notice.notes)];
  return { text: slackText(lines.join('\n')) };
}

export function sendWebhook(notice: Notice, channel: WebhookChannel, budget: Budget, maxAttempts?: number): Promise<Delivery> {
  const body = JSON.stringify(channel.format === 'slack' ? slackMessage(notice) : webhookReport(notice));
  return sendWithRetry(channel.url, body, { ...(maxAttempts ? { maxAttempts } : {}), headers: { 'content-type': 'application/json' }, label: `webhook ${redactUrl(channel.url)}` }, budget);
}
