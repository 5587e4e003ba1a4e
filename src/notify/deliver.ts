import { join } from 'node:path';
import { errorCode } from '../errors.js';
import type { Budget, Delivery } from '../net/http.js';
import { hasCredentials } from '../net/url-credentials.js';
import { tryLock, type HeldLock } from '../state/lock.js';
import { redactUrl } from '../util/format.js';
import type { Channels, WebhookChannel } from './channels.js';
import { destinationOf } from './destination.js';
import { sendEmail } from './email.js';
import { isDue } from './kept-backoff.js';
import type { Notice } from './notice.js';
import { sendPagerDuty, type PagerDutyAction } from './pagerduty.js';
import { backOffKept, dropKept, keepAlert, keptAlerts, keptCounts, pruneKept, webhookSpool, type KeptAlert, type KeptFile } from './spool.js';
import { sendWebhook } from './webhook.js';

/** What became of one message on one channel: for the footer, the history and `test-alert`. */
export interface ChannelResult {
  channel: string;
  /** Where it went, as the operator wrote it (`email to ops@example.com`): for messages. */
  destination: string;
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
export interface Target {
  id: string;
  label: string;
  alertsFor(notice: Notice): KeptAlert[];
  /** `attempts`: 1 for a kept alert (a later run tries again), more for a run's own. */
  send(alert: KeptAlert, attempts: number | undefined, budget: Budget): Promise<Delivery>;
}

/** PagerDuty events of one incident must arrive in order (trigger before resolve); other alerts stand alone. */
function orderKey(alert: KeptAlert): string | undefined {
  return alert.channel === 'pagerduty' ? alert.dedupKey : undefined;
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

/** The places `channels` send alerts to. */
export function targetsFor(channels: Channels): Target[] {
  const targets: Target[] = [];
  const keptAt = () => new Date().toISOString();
  const { email, pagerduty } = channels;
  if (email) {
    targets.push({
      id: 'email',
      label: 'email',
      alertsFor: (notice) => [{ channel: 'email', notice, to: email.to, keptAt: keptAt() }],
      send: (alert, _attempts, budget) => sendEmail(alert.notice, { ...email, to: alert.channel === 'email' ? alert.to : email.to }, budget),
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
          severity: pagerduty.severity,
          keptAt: keptAt(),
        })),
      send: (alert, attempts, budget) =>
        alert.channel === 'pagerduty'
          ? sendPagerDuty(alert.notice, { ...pagerduty, dedupKey: alert.dedupKey, severity: alert.severity ?? pagerduty.severity }, alert.action, budget, attempts)
          : sendPagerDuty(alert.notice, pagerduty, 'trigger', budget, attempts),
    });
  }
  const shown = channels.webhooks.map((webhook) => redactUrl(webhook.url));
  channels.webhooks.forEach((webhook, index) => {
    // Two webhooks on one host look the same once redacted: number them, in the order given.
    const twin = shown.filter((url) => url === shown[index]).length > 1 ? ` #${index + 1}` : '';
    targets.push(webhookTarget(webhook, `webhook ${shown[index]}${twin}`));
  });
  return targets;
}

/**
 * A webhook: its kept alerts carry its URL and format, so it can be sent to after the job's line is gone;
 * not a URL with a password in it (the spool holds no password: flush then needs the webhook named again).
 */
function webhookTarget(webhook: WebhookChannel, label: string): Target {
  const id = webhookSpool(webhook.url);
  const url = hasCredentials(webhook.url) ? { shown: redactUrl(webhook.url) } : { url: webhook.url };
  return {
    id,
    label,
    alertsFor: (notice) => [{ channel: id, notice, ...url, format: webhook.format, keptAt: new Date().toISOString() }],
    send: (alert, attempts, budget) => {
      const kept = alert.channel === id && alert.url ? { url: alert.url, format: alert.format ?? webhook.format } : webhook;
      return sendWebhook(alert.notice, kept, budget, attempts);
    },
  };
}

/**
 * `cronwrap flush`: the webhooks alerts were kept for that `channels` do not name (a `--webhook` on a job's
 * line), each from the URL its kept alerts carry. Alerts kept before they carried it have no target.
 */
export function keptWebhookTargets(stateDir: string, channels: Channels): { targets: Target[]; damaged: string[] } {
  const configured = new Set<string>(channels.webhooks.map((webhook) => webhookSpool(webhook.url)));
  const targets: Target[] = [];
  const damaged: string[] = [];
  for (const id of keptCounts(stateDir).keys()) {
    if (!id.startsWith('webhook-') || configured.has(id)) continue;
    const read = keptAlerts(stateDir, id);
    damaged.push(...read.damaged);
    const webhook = read.kept.map(({ alert }) => alert).find((alert) => 'url' in alert && alert.url);
    if (!webhook || !('url' in webhook) || !webhook.url) continue;
    targets.push(webhookTarget({ url: webhook.url, format: webhook.format ?? 'json' }, `webhook ${redactUrl(webhook.url)}`));
  }
  return { targets, damaged };
}

function resultOf(target: Target, alert: KeptAlert, delivery: Delivery, kept: boolean, resent: boolean): ChannelResult {
  const kind = alert.channel === 'pagerduty' ? `${alert.notice.kind} (${alert.action})` : alert.notice.kind;
  const error = delivery.error ? { error: delivery.error } : {};
  // A webhook's label tells twins on one host apart; the others are told by their recipients and keys.
  const destination = alert.channel.startsWith('webhook-') ? target.label : destinationOf(alert);
  return { channel: target.label, destination, kind, job: alert.notice.job, ok: delivery.ok, attempts: delivery.attempts, ...error, kept, resent, outOfTime: delivery.outOfTime === true };
}

/** What became of a run's messages, and the damaged kept alerts met on the way (moved aside). */
export interface Delivered {
  results: ChannelResult[];
  problems: string[];
}

/** Kept alerts one run re-sends per channel at most, and the share of its notification time they may use. */
const MAX_RESENT_PER_RUN = 10;
const KEPT_SHARE_MS = 20_000;

export interface DeliveryOptions {
  budget: Budget;
  /** Keep what fails for a reason that may pass (not for `test-alert`). */
  keep: boolean;
  /** `cronwrap flush`: every kept alert, due or not, as many as the budget allows. */
  everyKept?: boolean;
}

/**
 * Sends the kept alerts that are due (oldest first, one attempt each, at most MAX_RESENT_PER_RUN and
 * KEPT_SHARE_MS of the budget), then `notice`, on every target, targets in parallel. Each alert stands
 * alone: one that cannot go never holds back the others (only PagerDuty events of one incident wait for
 * the earlier ones). What fails for a reason that may pass (network, 408, 429, 5xx, time) is kept when
 * `keep` is set, a kept one backing off (kept-backoff.ts); what cannot succeed (other 4xx, SMTP 5xx) is dropped.
 */
export async function deliverAll(notice: Notice | null, targets: Target[], stateDir: string, options: DeliveryOptions): Promise<Delivered> {
  const { budget, keep, everyKept = false } = options;
  const keptBudget = everyKept ? budget : { ...budget, deadline: Math.min(budget.deadline, budget.now() + KEPT_SHARE_MS) };
  const problems: string[] = [];
  const perTarget = await Promise.all(
    targets.map(async (target) => {
      const results: ChannelResult[] = [];
      const held = new Set<string>(); // incident keys with an earlier event still kept
      const waiting = (): Delivery => ({ ok: false, attempts: 0, error: `${target.label}: waiting for an earlier event of the incident`, retryable: true });
      const fresh = notice ? target.alertsFor(notice) : [];
      // Another run holding the lock is re-sending this channel's kept alerts: this run sends only its own.
      const lock = spoolLock(stateDir, target, problems);
      try {
        if (lock) {
          const read = keptAlerts(stateDir, target.id);
          const now = Date.now();
          const pruned = pruneKept(target.id, read.kept, now, fresh.length);
          problems.push(...read.damaged, ...(pruned.dropped ? [pruned.dropped] : []));
          let tried = 0;
          for (const kept of pruned.kept) {
            const { file, alert } = kept;
            const key = orderKey(alert);
            const notYet = !everyKept && (!isDue(alert, now) || tried >= MAX_RESENT_PER_RUN || keptBudget.now() >= keptBudget.deadline);
            if (notYet) {
              // Left for a later run; a later event of its incident waits for it.
              if (key) held.add(key);
              continue;
            }
            if (key && held.has(key)) {
              results.push(resultOf(target, alert, waiting(), true, true)); // not tried: no backoff
              continue;
            }
            tried += 1;
            const delivery = await target.send(alert, 1, keptBudget);
            const stillKept = !delivery.ok && delivery.retryable;
            if (stillKept && key) held.add(key);
            if (stillKept) backOffOrSay({ file, alert: narrowed(alert, delivery) }, delivery.retryAfterMs, problems);
            else dropKept(file);
            // Cut by the kept alerts' share, not by the run's time: no "could not all be delivered within 60s".
            const cut = delivery.outOfTime && budget.now() < budget.deadline;
            results.push(resultOf(target, alert, cut ? { ...delivery, outOfTime: false } : delivery, stillKept, true));
          }
        }
        for (const alert of fresh) {
          const key = orderKey(alert);
          const delivery = key && held.has(key) ? waiting() : await target.send(alert, undefined, budget);
          const kept = keep && !delivery.ok && delivery.retryable && keepOrSay(stateDir, narrowed(alert, delivery), delivery.retryAfterMs, problems);
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

/**
 * The lock on a channel's kept alerts, or none: held by another run, or the state directory is not one
 * root can trust (said in `problems`). Without it the run still sends its own alert.
 */
function spoolLock(stateDir: string, target: Target, problems: string[]): HeldLock | undefined {
  try {
    return tryLock(join(stateDir, 'locks', 'spool'), target.id);
  } catch (error) {
    problems.push(`cannot use the kept alerts of ${target.label} in ${stateDir}: ${errorCode(error)}`);
    return undefined;
  }
}

/** A mail the server took for some recipients and put off for others is kept for those only. */
function narrowed(alert: KeptAlert, delivery: Delivery): KeptAlert {
  return alert.channel === 'email' && delivery.keepFor ? { ...alert, to: delivery.keepFor } : alert;
}

/**
 * Puts off a kept alert's next try (at least as long as the server asked, `askedMs`); if its file cannot be
 * rewritten, says why (it is tried again as it was).
 */
function backOffOrSay(kept: KeptFile, askedMs: number | undefined, problems: string[]): void {
  try {
    backOffKept(kept, Date.now(), askedMs);
  } catch (error) {
    problems.push(`cannot put off the kept ${kept.alert.channel} alert ${kept.file}: ${errorCode(error)}`);
  }
}

/** Keeps an alert for a later run, not before the server asked (`askedMs`); if the spool cannot take it, says why. */
function keepOrSay(stateDir: string, alert: KeptAlert, askedMs: number | undefined, problems: string[]): boolean {
  try {
    keepAlert(stateDir, alert, Date.now(), askedMs);
    return true;
  } catch (error) {
    problems.push(`cannot keep the ${alert.channel} alert for later in ${stateDir}: ${errorCode(error)}`);
    return false;
  }
}

