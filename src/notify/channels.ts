import type { Secret } from '../util/secret.js';

/** Where alerts go, as resolved for this run from the settings, with the secrets already read. */
export interface EmailChannel {
  to: string[];
  from: string;
  /** SMTP server URL, or undefined for the local `sendmail`. */
  smtpUrl: string | undefined;
  /** The sendmail program to run, or why it may not be run (another user could change it). */
  sendmail: { path: string; env: NodeJS.ProcessEnv } | { error: string } | undefined;
  /** The SMTP password, used when the URL names a user. */
  password: Secret;
}

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface PagerDutyChannel {
  url: string;
  dedupKey: string;
  severity: PagerDutySeverity;
  /** Warnings trigger an incident of severity `warning` (false: `--no-page-warnings`, they go to the other channels only). */
  pageWarnings: boolean;
  routingKey: Secret;
}

export interface WebhookChannel {
  url: string;
  format: 'json' | 'slack';
}

export interface Channels {
  email: EmailChannel | undefined;
  pagerduty: PagerDutyChannel | undefined;
  webhooks: WebhookChannel[];
  ping: string | undefined;
}

/** All notifications of one run, retries included, end within this (contract). */
export const NOTIFY_BUDGET_MS = 60_000;

/** Whether any channel that alerts a person is configured (pings are a dead-man's switch, not alerts). */
export function hasAlertChannels(channels: Channels): boolean {
  return Boolean(channels.email || channels.pagerduty || channels.webhooks.length > 0);
}
