import { join } from 'node:path';
import { errorCode } from '../errors.js';
import type { Budget, Delivery } from '../net/http.js';
import { tryLock } from '../state/lock.js';
import { redactUrl } from '../util/format.js';
import { fnv1a } from '../util/hash.js';
import type { Channels } from './channels.js';
import { sendEmail } from './email.js';
import type { Notice } from './notice.js';
import { sendPagerDuty, type PagerDutyAction } from './pagerduty.js';
import { dropKept, keepAlert, keptAlerts, pruneKept, type KeptAlert } from './spool.js';
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
  /** The run's time for notifications ran out before it was sent. */
  outOfTime: boolean;
}

/** One place alerts go: its spool name, what a notice becomes there, and how to send it. */
interface Target {
  id: string;
  label: string;
  alertsFor(notice: Notice): KeptAlert[];
  /** `attempts`: 1 for a kept alert (a later run tries again), more for a run's own. */
  send(alert: KeptAlert, attempts: number | undefined): Promise<Delivery>;
}

/** PagerDuty events of one incident must arrive in order (trigger before resolve); other alerts stand alone. */
function orderKey(alert: KeptAlert): string | undefined {
  return alert.channel === 'pagerduty' ? alert.dedupKey : undefined;
}

/** A webhook's spool is named by a hash of its URL, never the URL (it may hold a token). */
function urlId(url: string): string {
  return fnv1a(url).toString(16).padStart(8, '0');
}

const PAGERDUTY_ACTIONS: Record<Notice['kind'], PagerDutyAction[]> = {
  failure: ['trigger'],
  // A stuck earlier run keeps every later one from starting: that is an incident too, resolved by a success.
  skipped: ['trigger'],
  missed: ['trigger'],
  stuck: ['trigger'],
  // With severity warning (a low-urgency incident where the service says so), resolved by the next plain success.
  warning: ['trigger'],
  recovery: ['resolve'],
  test: ['trigger', 'resolve'],
  // PagerDuty keeps one open incident: reminders and success notices are for the other channels.
  reminder: [],
  success: [],
};

export function targetsFor(channels: Channels, budget: Budget): Target[] {
  const targets: Target[] = [];
  const keptAt = () => new Date().toISOString();
  const { email, pagerduty } = channels;
  if (email) {
    targets.push({
      id: 'email',
      label: 'email',
      alertsFor: (notice) => [{ channel: 'email', notice, to: email.to, keptAt: keptAt() }],
      send: (alert) => sendEmail(alert.notice, { ...email, to: alert.channel === 'email' ? alert.to : email.to }, budget),
    });
  }
  if (pagerduty) {
    targets.push({
      id: 'pagerduty',
      label: 'pagerduty',
      alertsFor: (notice) =>
        (notice.kind === 'warning' && !pagerduty.pageWarnings ? [] : PAGERDUTY_ACTIONS[notice.kind]).map((action) => ({
          channel: 'pagerduty',
          notice,
          action,
          // A test gets its own incident key, so it never resolves a real incident.
          dedupKey: notice.kind === 'test' ? `${pagerduty.dedupKey}/test` : pagerduty.dedupKey,
          keptAt: keptAt(),
        })),
      send: (alert, attempts) =>
        alert.channel === 'pagerduty'
          ? sendPagerDuty(alert.notice, { ...pagerduty, dedupKey: alert.dedupKey }, alert.action, budget, attempts)
          : sendPagerDuty(alert.notice, pagerduty, 'trigger', budget, attempts),
    });
  }
  const shown = channels.webhooks.map((webhook) => redactUrl(webhook.url));
  channels.webhooks.forEach((webhook, index) => {
    const id = `webhook-${urlId(webhook.url)}` as const;
    // Two webhooks on one host look the same once redacted: number them, in the order given.
    const twin = shown.filter((url) => url === shown[index]).length > 1 ? ` #${index + 1}` : '';
    targets.push({
      id,
      label: `webhook ${shown[index]}${twin}`,
      alertsFor: (notice) => [{ channel: id, notice, keptAt: keptAt() }],
      send: (alert, attempts) => sendWebhook(alert.notice, webhook, budget, attempts),
    });
  });
  return targets;
}

function resultOf(target: Target, alert: KeptAlert, delivery: Delivery, kept: boolean, resent: boolean): ChannelResult {
  const kind = alert.channel === 'pagerduty' ? `${alert.notice.kind} (${alert.action})` : alert.notice.kind;
  const error = delivery.error ? { error: delivery.error } : {};
  return { channel: target.label, kind, job: alert.notice.job, ok: delivery.ok, attempts: delivery.attempts, ...error, kept, resent, outOfTime: delivery.outOfTime === true };
}

/** What became of a run's messages, and the damaged kept alerts met on the way (moved aside). */
export interface Delivered {
  results: ChannelResult[];
  problems: string[];
}

/**
 * Sends kept alerts (oldest first, one attempt each), then `notice`, on every target, targets in
 * parallel. Each alert stands alone: one that cannot go never holds back the others (only PagerDuty
 * events of one incident wait for the earlier ones). What fails for a reason that may pass (network, 408,
 * 429, 5xx, time) is kept when `keep` is set; what cannot succeed (other 4xx, SMTP 5xx) is dropped.
 */
export async function deliverAll(notice: Notice | null, targets: Target[], stateDir: string, keep: boolean): Promise<Delivered> {
  const problems: string[] = [];
  const perTarget = await Promise.all(
    targets.map(async (target) => {
      const results: ChannelResult[] = [];
      const held = new Set<string>(); // incident keys with an earlier event still kept
      const waiting = (): Delivery => ({ ok: false, attempts: 0, error: `${target.label}: waiting for an earlier event of the incident`, retryable: true });
      const fresh = notice ? target.alertsFor(notice) : [];
      // Another run holding the lock is re-sending this channel's kept alerts: this run sends only its own.
      const lock = tryLock(join(stateDir, 'locks', 'spool'), target.id);
      try {
        if (lock) {
          const read = keptAlerts(stateDir, target.id);
          const pruned = pruneKept(target.id, read.kept, Date.now(), fresh.length);
          problems.push(...read.damaged, ...(pruned.dropped ? [pruned.dropped] : []));
          for (const { file, alert } of pruned.kept) {
            const key = orderKey(alert);
            const delivery = key && held.has(key) ? waiting() : await target.send(alert, 1);
            const stillKept = !delivery.ok && delivery.retryable;
            if (stillKept && key) held.add(key);
            if (!stillKept) dropKept(file);
            results.push(resultOf(target, alert, delivery, stillKept, true));
          }
        }
        for (const alert of fresh) {
          const key = orderKey(alert);
          const delivery = key && held.has(key) ? waiting() : await target.send(alert, undefined);
          const kept = keep && !delivery.ok && delivery.retryable && keepOrSay(stateDir, alert, problems);
          if (!delivery.ok && delivery.retryable && key) held.add(key);
          results.push(resultOf(target, alert, delivery, kept, false));
        }
      } finally {
        lock?.release();
      }
      return results;
    }),
  );
  return { results: perTarget.flat(), problems };
}

/** Keeps an alert for a later run; if the spool cannot take it, says why. */
function keepOrSay(stateDir: string, alert: KeptAlert, problems: string[]): boolean {
  try {
    keepAlert(stateDir, alert, Date.now());
    return true;
  } catch (error) {
    problems.push(`cannot keep the ${alert.channel} alert for later in ${stateDir}: ${errorCode(error)}`);
    return false;
  }
}

