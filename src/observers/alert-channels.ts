import type { Settings } from '../config/options.js';
import { readSecret, withoutSecrets } from '../config/secrets.js';
import type { Channels, EmailChannel } from '../notify/channels.js';
import { errorCode } from '../errors.js';
import { checkTrustedFile } from '../util/trust.js';
import { isExecutable } from '../util/find-executable.js';

const SENDMAIL_PATHS = ['/usr/sbin/sendmail', '/usr/lib/sendmail'];

/**
 * The sendmail root will run: only one that no other user could have changed (util/trust.ts). None found
 * is said, not taken for "no mail": the alerts are kept until one is installed or CRONWRAP_SMTP_URL is set.
 */
function findSendmail(configured: string | undefined, env: NodeJS.ProcessEnv): EmailChannel['sendmail'] {
  const candidates = configured ? [configured] : SENDMAIL_PATHS;
  const path = candidates.find(isExecutable);
  if (!path) return { error: `no executable sendmail at ${candidates.join(' or ')}: install a mail transfer agent, set CRONWRAP_SENDMAIL to one, or set CRONWRAP_SMTP_URL` };
  try {
    checkTrustedFile(path, 'program');
    // sendmail gets the environment without cronwrap's secrets, as the job does.
    return { path, env: withoutSecrets(env) };
  } catch (error) {
    return { error: `sendmail ${path} is not run (${errorCode(error)})` };
  }
}

/** `{host}` and `{job}` (or `<host>`, `<job>`) filled in. */
export function expandKey(template: string, host: string, job: string): string {
  return template.replace(/\{host\}|<host>/g, host).replace(/\{job\}|<job>/g, job);
}

/**
 * The channels this run can use, secrets read (once per run: a kept alert is re-sent with the credentials
 * of the day). Mail goes to `mailTo` only: cron's MAILTO is cron's, which mails the failure report of each failed run.
 * `keptOnly` (`cronwrap flush`): mail needs a transport, not recipients: each kept mail carries its own.
 */
export function resolveChannels(settings: Settings, { host, env }: { host: string; env: NodeJS.ProcessEnv }, job: string, keptOnly = false): Channels {
  const to = settings.mailTo ?? [];
  const sendmail = settings.smtpUrl ? undefined : findSendmail(settings.sendmail, env);
  const email =
    to.length > 0 || (keptOnly && (settings.smtpUrl || sendmail))
      ? {
          to,
          from: settings.mailFrom ?? `cronwrap@${host}`,
          smtpUrl: settings.smtpUrl,
          sendmail,
          password: readSecret(settings.smtpPassword, settings.smtpPasswordFile, 'CRONWRAP_SMTP_PASSWORD_FILE'),
        }
      : undefined;
  const hasRoutingKey = Boolean(settings.pagerdutyRoutingKey || settings.pagerdutyRoutingKeyFile);
  const pagerduty = hasRoutingKey
    ? {
        url: settings.pagerdutyUrl,
        dedupKey: expandKey(settings.pagerdutyDedupKey, host, job),
        severity: settings.pagerdutySeverity,
        pageWarnings: settings.pageWarnings,
        routingKey: readSecret(settings.pagerdutyRoutingKey, settings.pagerdutyRoutingKeyFile, 'CRONWRAP_PAGERDUTY_ROUTING_KEY_FILE'),
      }
    : undefined;
  return { email, pagerduty, webhooks: settings.webhooks.map((url) => ({ url, format: settings.webhookFormat })), ping: settings.ping };
}
