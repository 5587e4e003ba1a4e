import { join } from 'node:path';
import { errorCode } from '../errors.js';
import type { Budget, Delivery } from '../net/http.js';
import { tryLock, type HeldLock } from '../state/lock.js';
import type { Check } from '../util/check.js';
import type { KeptAlert } from './channel.js';
import { isDue } from './kept-backoff.js';
import type { Notice } from './notice.js';
import { backOffKept, dropKept, isKeptAlert, keepAlert, keptAlerts, pruneKept, type KeptFile } from './spool.js';

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

/**
 * One place alerts go, as configured for this run (alert-channels.ts builds it from a channel's descriptor):
 * its spool, what a notice becomes there, how to send it, how its kept alerts are read back and named.
 */
export interface Target {
  id: string;
  label: string;
  /** `keptAt`: the time (ISO) its alerts say they were made, should they be kept. */
  alertsFor(notice: Notice, keptAt: string): KeptAlert[];
  /** `attempts`: 1 for a kept alert (a later run tries again), more for a run's own. */
  send(alert: KeptAlert, attempts: number | undefined, budget: Budget): Promise<Delivery>;
  /** Its kept alerts read back (default: what every kept alert holds). */
  isKept?: Check<KeptAlert>;
  /** The event an alert is, one kept file per notice and event (default `send`). */
  event?(alert: KeptAlert): string;
  /** What a result says it was (default: the notice's kind). */
  kindOf?(alert: KeptAlert): string;
  /** Alerts of one key must arrive in order (an incident's trigger before its resolve); others stand alone. */
  orderKey?(alert: KeptAlert): string | undefined;
  /** What is still to keep after a delivery that went through in part. */
  narrowed?(alert: KeptAlert, delivery: Delivery): KeptAlert;
  /** Where it went, in the operator's words (default: the label). */
  destination?(alert: KeptAlert): string;
  /** A setup to fix, said when the target could not send. */
  problem?: string | undefined;
}

function resultOf(target: Target, alert: KeptAlert, delivery: Delivery, kept: boolean, resent: boolean): ChannelResult {
  const kind = target.kindOf?.(alert) ?? alert.notice.kind;
  const error = delivery.error ? { error: delivery.error } : {};
  const destination = target.destination?.(alert) ?? target.label;
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
      const fresh = notice ? target.alertsFor(notice, new Date(budget.wallNow()).toISOString()) : [];
      // Another run holding the lock is re-sending this channel's kept alerts: this run sends only its own.
      const lock = spoolLock(stateDir, target, problems);
      try {
        if (lock) {
          const now = budget.wallNow();
          const read = keptAlerts(stateDir, target.id, target.isKept ?? isKeptAlert, now);
          const pruned = pruneKept(target.id, read.kept, now, fresh.length);
          problems.push(...read.damaged, ...(pruned.dropped ? [pruned.dropped] : []));
          let tried = 0;
          for (const kept of pruned.kept) {
            const { file, alert } = kept;
            const key = target.orderKey?.(alert);
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
            if (stillKept) backOffOrSay({ file, alert: target.narrowed?.(alert, delivery) ?? alert }, budget.wallNow(), delivery.retryAfterMs, problems);
            else dropKept(file);
            // Cut by the kept alerts' share, not by the run's time: no "could not all be delivered within 60s".
            const cut = delivery.outOfTime && budget.now() < budget.deadline;
            results.push(resultOf(target, alert, cut ? { ...delivery, outOfTime: false } : delivery, stillKept, true));
          }
        }
        for (const alert of fresh) {
          const key = target.orderKey?.(alert);
          const delivery = key && held.has(key) ? waiting() : await target.send(alert, undefined, budget);
          const kept = keep && !delivery.ok && delivery.retryable && keepOrSay(stateDir, target, target.narrowed?.(alert, delivery) ?? alert, budget.wallNow(), delivery.retryAfterMs, problems);
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

/**
 * Puts off a kept alert's next try from `now` (at least as long as the server asked, `askedMs`); if its file
 * cannot be rewritten, says why (it is tried again as it was).
 */
function backOffOrSay(kept: KeptFile, now: number, askedMs: number | undefined, problems: string[]): void {
  try {
    backOffKept(kept, now, askedMs);
  } catch (error) {
    problems.push(`cannot put off the kept ${kept.alert.channel} alert ${kept.file}: ${errorCode(error)}`);
  }
}

/** Keeps an alert for a later run (kept at `now`), not before the server asked (`askedMs`); if the spool cannot take it, says why. */
function keepOrSay(stateDir: string, target: Target, alert: KeptAlert, now: number, askedMs: number | undefined, problems: string[]): boolean {
  try {
    keepAlert(stateDir, alert, now, askedMs, target.event?.(alert));
    return true;
  } catch (error) {
    problems.push(`cannot keep the ${alert.channel} alert for later in ${stateDir}: ${errorCode(error)}`);
    return false;
  }
}

