import { join } from 'node:path';
import type { Settings } from '../cli/options.js';
import { tryLock } from '../state/lock.js';
import type { Channels } from './channels.js';
import { sendEmail } from './email.js';
import { redactUrl, type Delivery } from './http-post.js';
import type { Notice } from './notice.js';
import { sendPagerDuty, type PagerDutyAction } from './pagerduty.js';
import { dropKept, keepAlert, keptAlerts, type KeptAlert } from './spool.js';
import { sendWebhook } from './webhook.js';

/** What became of one message on one channel: for the footer, the history and `test-alert`. */
export interface ChannelResult {
  channel: string;
  kind: string;
  job: string;
  ok: boolean;
  attempts: number;
  error?: string;
  /** Kept in the spool for a later run. */
  kept: boolean;
  /** A kept alert from an earlier run, sent again now. */
  resent: boolean;
}

/** One place alerts go: its spool name, what a notice becomes there, and how to send it. */
interface Target {
  id: string;
  label: string;
  alertsFor(notice: Notice): KeptAlert[];
  send(alert: KeptAlert): Promise<Delivery>;
}

/** FNV-1a, to name a webhook's spool by its URL without keeping the URL (it may hold a token). */
function urlId(url: string): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(url)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

const PAGERDUTY_ACTIONS: Record<Notice['kind'], PagerDutyAction[]> = {
  failure: ['trigger'],
  recovery: ['resolve'],
  test: ['trigger', 'resolve'],
  // PagerDuty keeps one open incident: reminders and success notices are for the other channels.
  reminder: [],
  success: [],
};

export function targetsFor(channels: Channels, settings: Settings, deadline: number, now: () => number): Target[] {
  const targets: Target[] = [];
  const keptAt = () => new Date().toISOString();
  const { email, pagerduty } = channels;
  if (email) {
    targets.push({
      id: 'email',
      label: 'email',
      alertsFor: (notice) => [{ channel: 'email', notice, to: email.to, keptAt: keptAt() }],
      send: (alert) => sendEmail(alert.notice, { ...email, to: alert.to ?? email.to }, settings, deadline, now),
    });
  }
  if (pagerduty) {
    targets.push({
      id: 'pagerduty',
      label: 'pagerduty',
      alertsFor: (notice) =>
        PAGERDUTY_ACTIONS[notice.kind].map((action) => ({
          channel: 'pagerduty',
          notice,
          action,
          // A test gets its own incident key, so it never resolves a real incident.
          dedupKey: notice.kind === 'test' ? `${pagerduty.dedupKey}/test` : pagerduty.dedupKey,
          keptAt: keptAt(),
        })),
      send: (alert) => sendPagerDuty(alert.notice, { ...pagerduty, dedupKey: alert.dedupKey ?? pagerduty.dedupKey }, alert.action ?? 'trigger', settings, deadline, now),
    });
  }
  for (const webhook of channels.webhooks) {
    const id = `webhook-${urlId(webhook.url)}`;
    targets.push({
      id,
      label: `webhook ${redactUrl(webhook.url)}`,
      alertsFor: (notice) => [{ channel: id, notice, keptAt: keptAt() }],
      send: (alert) => sendWebhook(alert.notice, webhook, deadline, now),
    });
  }
  return targets;
}

function resultOf(target: Target, alert: KeptAlert, delivery: Delivery, kept: boolean, resent: boolean): ChannelResult {
  const kind = alert.action ? `${alert.notice.kind} (${alert.action})` : alert.notice.kind;
  return { channel: target.label, kind, job: alert.notice.job, ok: delivery.ok, attempts: delivery.attempts, ...(delivery.error ? { error: delivery.error } : {}), kept, resent };
}

/**
 * Sends kept alerts, then `notice`, on every target: targets in parallel, each in order (an alert waits
 * behind older kept ones of its channel, so a dead pager never holds back a mail). What fails for a
 * reason that may pass (network, 408, 429, 5xx, time) is kept when `keep` is set.
 */
export async function deliverAll(notice: Notice | null, targets: Target[], stateDir: string, keep: boolean): Promise<ChannelResult[]> {
  const perTarget = await Promise.all(
    targets.map(async (target) => {
      const results: ChannelResult[] = [];
      const lock = tryLock(join(stateDir, 'locks', 'spool'), target.id);
      let blocked = !lock; // another run is sending this channel's kept alerts: queue behind them
      try {
        if (lock) {
          for (const { file, alert } of keptAlerts(stateDir).get(target.id) ?? []) {
            const delivery = await target.send(alert);
            results.push(resultOf(target, alert, delivery, !delivery.ok && delivery.retryable, true));
            if (delivery.ok || !delivery.retryable) dropKept(file);
            else {
              blocked = true;
              break;
            }
          }
        }
        for (const alert of notice ? target.alertsFor(notice) : []) {
          const delivery: Delivery = blocked
            ? { ok: false, attempts: 0, error: `${target.label}: waiting behind older kept alerts`, retryable: true }
            : await target.send(alert);
          const kept = keep && !delivery.ok && delivery.retryable;
          if (kept) keepAlert(stateDir, alert, Date.now());
          if (!delivery.ok) blocked = true;
          results.push(resultOf(target, alert, delivery, kept, false));
        }
      } finally {
        lock?.release();
      }
      return results;
    }),
  );
  return perTarget.flat();
}

