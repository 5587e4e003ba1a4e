import { accessSync, constants } from 'node:fs';
import type { PagerDutySeverity, Settings } from '../cli/options.js';

/** Where alerts go, as configured for this run. Secrets stay in `settings` and are read at send time. */
export interface EmailChannel {
  to: string[];
  from: string;
  /** SMTP server URL, or undefined for the local sendmail at `sendmailPath`. */
  smtpUrl: string | undefined;
  sendmailPath: string | undefined;
}

export interface PagerDutyChannel {
  url: string;
  dedupKey: string;
  severity: PagerDutySeverity;
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

const SENDMAIL_PATHS = ['/usr/sbin/sendmail', '/usr/lib/sendmail'];

function findSendmail(configured: string | undefined): string | undefined {
  return (configured ? [configured] : SENDMAIL_PATHS).find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** `{host}` and `{job}` (or `<host>`, `<job>`) filled in. */
export function expandKey(template: string, host: string, job: string): string {
  return template.replace(/\{host\}|<host>/g, host).replace(/\{job\}|<job>/g, job);
}

/** The channels this run can use. Mail goes to --mail-to, else CRONWRAP_MAIL_TO, else cron's MAILTO. */
export function configuredChannels(settings: Settings, env: NodeJS.ProcessEnv, host: string, job: string): Channels {
  const to = settings.mailTo ?? (env.MAILTO ? env.MAILTO.split(/[\s,]+/).filter(Boolean) : []);
  const sendmailPath = settings.smtpUrl ? undefined : findSendmail(settings.sendmail);
  const email = to.length > 0 && (settings.smtpUrl || sendmailPath) ? { to, from: settings.mailFrom ?? `cronwrap@${host}`, smtpUrl: settings.smtpUrl, sendmailPath } : undefined;
  const hasRoutingKey = Boolean(settings.pagerdutyRoutingKey || settings.pagerdutyRoutingKeyFile);
  return {
    email,
    pagerduty: hasRoutingKey ? { url: settings.pagerdutyUrl, dedupKey: expandKey(settings.pagerdutyDedupKey, host, job), severity: settings.pagerdutySeverity } : undefined,
    webhooks: settings.webhooks.map((url) => ({ url, format: settings.webhookFormat })),
    ping: settings.ping,
  };
}

/** Whether any channel that alerts a person is configured (pings are a dead-man's switch, not alerts). */
export function hasAlertChannels(channels: Channels): boolean {
  return Boolean(channels.email || channels.pagerduty || channels.webhooks.length > 0);
}
