import type { Secret } from '../util/secret.js';

/** Mail as its sender takes it (email.ts), resolved for this run by email-channel.ts, the password already read. */
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

/** All notifications of one run, retries included, end within this (contract). */
export const NOTIFY_BUDGET_MS = 60_000;

