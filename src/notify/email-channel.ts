import { readSecret } from '../util/secret-file.js';
import { errorCode } from '../errors.js';
import { arrayOf } from '../util/check.js';
import { isExecutable } from '../util/find-executable.js';
import { isMailAddress } from '../util/mail-address.js';
import { checkTrustedFile } from '../util/trust.js';
import type { AlertChannel, KeptAlert } from './channel.js';
import type { EmailChannel } from './channels.js';
import { sendEmail } from './email.js';
import { keptShape } from './spool.js';

/** A kept mail: the recipients at the time (the transport and password are those configured when it is re-sent). */
type KeptMail = KeptAlert & { to: string[] };

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
    // sendmail gets the environment without cronwrap's secrets, as the job does (ChannelContext).
    return { path, env };
  } catch (error) {
    return { error: `sendmail ${path} is not run (${errorCode(error)})` };
  }
}

/**
 * Mail, over SMTP or the local sendmail (email.ts). It goes to `mail_to` only: cron's MAILTO is cron's, which
 * mails the failure report of each failed run. `flush` needs a transport, not recipients: each kept mail has its own.
 */
export const email: AlertChannel<EmailChannel, KeptMail> = {
  name: 'email',
  setup: '--mail-to with CRONWRAP_SMTP_URL or a local sendmail',
  notConfigured: 'no mail transport is configured now (CRONWRAP_SMTP_URL, or a sendmail)',
  configure(settings, { host, env, keptOnly }) {
    const to = settings.mailTo ?? [];
    const sendmail = settings.smtpUrl ? undefined : findSendmail(settings.sendmail, env);
    if (to.length === 0 && !(keptOnly && (settings.smtpUrl || sendmail))) return [];
    const password = readSecret(settings.smtpPassword, settings.smtpPasswordFile, 'CRONWRAP_SMTP_PASSWORD_FILE');
    return [{ to, from: settings.mailFrom ?? `cronwrap@${host}`, smtpUrl: settings.smtpUrl, sendmail, password }];
  },
  label: () => 'email',
  spool: () => 'email',
  ownsSpool: (spool) => spool === 'email',
  alertsFor: (notice, config, spool, keptAt) => [{ channel: spool, notice, to: config.to, keptAt }],
  send: (alert, config, budget) => sendEmail(alert.notice, { ...config, to: alert.to }, budget),
  // Recipients go on sendmail's command line: one read back is checked as one given is (no leading '-').
  isKept: keptShape<KeptMail>({ to: arrayOf(isMailAddress) }),
  destination: (alert) => `email to ${alert.to.join(', ')}`,
  // A mail the server took for some recipients and put off for others is kept for those only.
  narrowed: (alert, delivery) => (delivery.keepFor ? { ...alert, to: delivery.keepFor } : alert),
  problem: ({ sendmail }) => (sendmail && 'error' in sendmail ? `email: ${sendmail.error}` : undefined),
};
