import { sendWithRetry, type Budget, type Delivery } from '../net/http.js';
import type { PagerDutyChannel } from './channels.js';
import { logText, subjectOf, type Notice } from './notice.js';

export type PagerDutyAction = 'trigger' | 'resolve';

/** The Events API v2 event for a notice (without the routing key, which is added when sending). */
function pagerDutyEvent(notice: Notice, channel: PagerDutyChannel, action: PagerDutyAction): Record<string, unknown> {
  if (action === 'resolve') return { event_action: 'resolve', dedup_key: channel.dedupKey };
  return {
    event_action: 'trigger',
    dedup_key: channel.dedupKey,
    payload: {
      summary: subjectOf(notice).replace('[cronwrap] ', '').slice(0, 1024),
      source: notice.host,
      severity: notice.kind === 'warning' ? 'warning' : channel.severity,
      timestamp: notice.end,
      component: notice.job,
      class: 'cron job',
      custom_details: {
        status: notice.status,
        exit: notice.exitCode,
        signal: notice.signal,
        timed_out: notice.timedOut,
        duration_ms: Math.round(notice.durationMs),
        attempts: notice.attempts,
        consecutive_failures: notice.consecutiveFailures,
        command: notice.command,
        user: notice.user,
        run: notice.run,
        log: logText(notice),
        output_tail: notice.tail,
        ...(notice.notes ? { notes: notice.notes } : {}),
      },
    },
  };
}

/** Sends a trigger or resolve event. Never throws. */
export async function sendPagerDuty(
  notice: Notice,
  channel: PagerDutyChannel,
  action: PagerDutyAction,
  budget: Budget,
  maxAttempts?: number,
): Promise<Delivery> {
  if ('error' in channel.routingKey) return { ok: false, attempts: 0, error: `pagerduty: ${channel.routingKey.error}`, retryable: true };
  const routingKey = channel.routingKey.value;
  if (!routingKey) return { ok: false, attempts: 0, error: 'pagerduty: the routing key is empty', retryable: false };
  const body = JSON.stringify({ routing_key: routingKey, ...pagerDutyEvent(notice, channel, action) });
  return sendWithRetry(channel.url, body, { ...(maxAttempts ? { maxAttempts } : {}), headers: { 'content-type': 'application/json' }, label: `pagerduty ${action}`, secrets: [routingKey] }, budget);
}
