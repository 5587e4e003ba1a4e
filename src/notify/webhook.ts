import { sendWithRetry, type Budget, type Delivery } from '../net/http.js';
import { redactUrl } from '../util/format.js';
import type { WebhookChannel } from './channels.js';
import { subjectOf, type Notice } from './notice.js';

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
    output: { total_lines: notice.totalLines, head: notice.head, tail: notice.tail },
  };
}

/** A Slack-compatible message: `{"text": ...}` with the last lines in a code block. */
function slackMessage(notice: Notice): Record<string, unknown> {
  const tail = notice.tail.slice(-10).join('\n').replace(/```/g, "'''");
  return { text: `${subjectOf(notice)}\n${notice.status}; log ${notice.logPath}${tail ? `\n\`\`\`\n${tail}\n\`\`\`` : ''}` };
}

export function sendWebhook(notice: Notice, channel: WebhookChannel, budget: Budget, maxAttempts?: number): Promise<Delivery> {
  const body = JSON.stringify(channel.format === 'slack' ? slackMessage(notice) : webhookReport(notice));
  return sendWithRetry(channel.url, body, { ...(maxAttempts ? { maxAttempts } : {}), headers: { 'content-type': 'application/json' }, label: `webhook ${redactUrl(channel.url)}` }, budget);
}
