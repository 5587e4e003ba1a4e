import type { Settings } from '../config/options.js';
import { readSecret } from '../config/secrets.js';
import type { Channels } from '../notify/channels.js';
import { isExecutable } from '../util/find-executable.js';

const SENDMAIL_PATHS = ['/usr/sbin/sendmail', '/usr/lib/sendmail'];

function findSendmail(configured: string | undefined): string | undefined {
  return (configured ? [configured] : SENDMAIL_PATHS).find(isExecutable);
}

/** `{host}` and `{job}` (or `<host>`, `<job>`) filled in. */
export function expandKey(template: string, host: string, job: string): string {
  return template.replace(/\{host\}|<host>/g, host).replace(/\{job\}|<job>/g, job);
}

/**
 * The channels this run can use, secrets read (once per run: a kept alert is re-sent with the credentials
 * of the day). Mail goes to --mail-to, else CRONWRAP_MAIL_TO, else cron's MAILTO.
 */
export function resolveChannels(settings: Settings, env: NodeJS.ProcessEnv, host: string, job: string): Channels {
  const to = settings.mailTo ?? (env.MAILTO ? env.MAILTO.split(/[\s,]+/).filter(Boolean) : []);
  const sendmailPath = settings.smtpUrl ? undefined : findSendmail(settings.sendmail);
  const email =
    to.length > 0 && (settings.smtpUrl || sendmailPath)
      ? {
          to,
          from: settings.mailFrom ?? `cronwrap@${host}`,
          smtpUrl: settings.smtpUrl,
          sendmailPath,
          password: readSecret(settings.smtpPassword, settings.smtpPasswordFile, 'CRONWRAP_SMTP_PASSWORD_FILE'),
        }
      : undefined;
  const hasRoutingKey = Boolean(settings.pagerdutyRoutingKey || settings.pagerdutyRoutingKeyFile);
  const pagerduty = hasRoutingKey
    ? {
        url: settings.pagerdutyUrl,
        dedupKey: expandKey(settings.pagerdutyDedupKey, host, job),
        severity: settings.pagerdutySeverity,
        routingKey: readSecret(settings.pagerdutyRoutingKey, settings.pagerdutyRoutingKeyFile, 'CRONWRAP_PAGERDUTY_ROUTING_KEY_FILE'),
      }
    : undefined;
  return { email, pagerduty, webhooks: settings.webhooks.map((url) => ({ url, format: settings.webhookFormat })), ping: settings.ping };
}
