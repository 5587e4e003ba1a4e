import { readSecret } from '../util/secret-file.js';
import { isString, literal, optional } from '../util/check.js';
import type { AlertChannel, KeptAlert } from './channel.js';
import type { PagerDutyChannel, PagerDutySeverity } from './channels.js';
import type { Notice } from './notice.js';
import { sendPagerDuty, type PagerDutyAction } from './pagerduty.js';
import { keptShape } from './spool.js';

/** A kept PagerDuty event: the event to send, its incident key and severity (the routing key is read again). */
type KeptEvent = KeptAlert & { action: PagerDutyAction; dedupKey: string; severity?: PagerDutySeverity };

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

/** `{host}` and `{job}` (or `<host>`, `<job>`) filled in. */
export function expandKey(template: string, host: string, job: string): string {
  return template.replace(/\{host\}|<host>/g, host).replace(/\{job\}|<job>/g, job);
}

/** PagerDuty's Events API v2 (pagerduty.ts): an incident per job, triggered and resolved. */
export const pagerduty: AlertChannel<PagerDutyChannel, KeptEvent> = {
  name: 'pagerduty',
  setup: 'CRONWRAP_PAGERDUTY_ROUTING_KEY',
  notConfigured: 'no PagerDuty routing key is configured now (CRONWRAP_PAGERDUTY_ROUTING_KEY or ..._FILE)',
  configure(settings, { host, job }) {
    if (!settings.pagerdutyRoutingKey && !settings.pagerdutyRoutingKeyFile) return [];
    return [
      {
        url: settings.pagerdutyUrl,
        dedupKey: expandKey(settings.pagerdutyDedupKey, host, job),
        severity: settings.pagerdutySeverity,
        pageWarnings: settings.pageWarnings,
        routingKey: readSecret(settings.pagerdutyRoutingKey, settings.pagerdutyRoutingKeyFile, 'CRONWRAP_PAGERDUTY_ROUTING_KEY_FILE'),
      },
    ];
  },
  label: () => 'pagerduty',
  spool: () => 'pagerduty',
  ownsSpool: (spool) => spool === 'pagerduty',
  alertsFor: (notice, config, spool, keptAt) =>
    (notice.kind === 'warning' && !config.pageWarnings ? [] : PAGERDUTY_ACTIONS[notice.kind]).map((action) => ({
      channel: spool,
      notice,
      action,
      // A test gets its own incident key, so it never resolves a real incident.
      dedupKey: notice.kind === 'test' ? `${config.dedupKey}/test` : config.dedupKey,
      severity: config.severity,
      keptAt,
    })),
  send: (alert, config, budget, attempts) => sendPagerDuty(alert.notice, { ...config, dedupKey: alert.dedupKey, severity: alert.severity ?? config.severity }, alert.action, budget, attempts),
  isKept: keptShape<KeptEvent>({ action: literal('trigger', 'resolve'), dedupKey: isString, severity: optional(literal<PagerDutySeverity>('critical', 'error', 'warning', 'info')) }),
  destination: (alert) => `pagerduty incident ${alert.dedupKey}`,
  event: (alert) => alert.action,
  kindOf: (alert) => `${alert.notice.kind} (${alert.action})`,
  // Events of one incident must arrive in order (trigger before resolve).
  orderKey: (alert) => alert.dedupKey,
};
