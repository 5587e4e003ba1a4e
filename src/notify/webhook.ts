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

/**
 * The most a Slack-format message holds, escaped: Slack asks for at most 4,000 characters (and cuts at
 * 40,000, closing fence and notes with it); Slack-compatible services take less than it refuses.
 */
export const SLACK_TEXT_MAX = 4000;

/** Escaped `text` cut to `max` characters (never half a surrogate pair nor half an entity), `…` saying so. */
function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\ud800-\udbff]/.test(text[max - 2] ?? '') ? max - 2 : max - 1;
  return `${text.slice(0, end).replace(/&[a-z]{0,3}$/, '')}…`;
}

/**
 * A Slack-compatible message: `{"text": ...}`, the command, and the last lines in a code block; all of it
 * text from the run, escaped, within SLACK_TEXT_MAX: the oldest lines of the block give way first.
 */
function slackMessage(notice: Notice): Record<string, unknown> {
  const command = notice.command.length > 0 ? [cutText(slackText(`command: ${commandText(notice.command)}`), 500)] : [];
  const facts = [cutText(slackText(subjectOf(notice)), 300), ...command, cutText(slackText(`${notice.status}; log ${logText(notice)}`), 600)];
  const notes = noteLines(notice.notes).map((line) => cutText(slackText(line), 400));
  const room = SLACK_TEXT_MAX - [...facts, ...notes].join('\n').length - '\n```\n\n```\n'.length;
  const tail: string[] = [];
  let left = room;
  for (const line of notice.tail.slice(-10).reverse()) {
    // A line that does not fit whole is cut to what is left (if enough is left to say something), and is the last.
    const shown = slackText(line.replace(/```/g, "'''"));
    const fits = shown.length + 1 <= left;
    if (!fits && left < 80) break;
    tail.unshift(fits ? shown : cutText(shown, left - 1));
    left -= tail[0]!.length + 1;
    if (!fits) break;
  }
  return { text: [...facts, ...(tail.length > 0 ? ['```', ...tail, '```'] : []), ...notes].join('\n') };
}

export function sendWebhook(notice: Notice, channel: WebhookChannel, budget: Budget, maxAttempts?: number): Promise<Delivery> {
  const body = JSON.stringify(channel.format === 'slack' ? slackMessage(notice) : webhookReport(notice));
  return sendWithRetry(channel.url, body, { ...(maxAttempts ? { maxAttempts } : {}), headers: { 'content-type': 'application/json' }, label: `webhook ${redactUrl(channel.url)}` }, budget);
}
