import { createHash } from 'node:crypto';
import { sendWithRetry, type Budget, type Delivery } from '../net/http.js';
import type { PagerDutyChannel } from './channels.js';
import { logText, subjectOf, type Notice } from './notice.js';

export type PagerDutyAction = 'trigger' | 'resolve';

/** The Events API v2 refuses a dedup_key longer than this (characters). */
const MAX_DEDUP_KEY = 255;

/**
 * The key as the API takes it: a longer one keeps its start and ends in a hash of the whole, the same on
 * every run and host, so a resolve finds its trigger and two long keys stay two incidents.
 */
export function eventDedupKey(key: string): string {
  if (key.length <= MAX_DEDUP_KEY) return key;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const head = key.slice(0, MAX_DEDUP_KEY - hash.length - 1).replace(/[\uD800-\uDBFF]$/, ''); // never half a surrogate pair
  return `${head}~${hash}`;
}

/** The Events API v2 event for a notice (without the routing key, which is added when sending). */
function pagerDutyEvent(notice: Notice, channel: PagerDutyChannel, action: PagerDutyAction): Record<string, unknown> {
  const dedupKey = eventDedupKey(channel.dedupKey);
  if (action === 'resolve') return { event_action: 'resolve', dedup_key: dedupKey };
  return {
    event_action: 'trigger',
    dedup_key: dedupKey,
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
