import { createTransport } from 'nodemailer';
import { stopReason, type Budget, type Delivery } from '../net/http.js';
import type { EmailChannel } from './channels.js';
import { bodyOf, oneLine, subjectOf, type Notice } from './notice.js';

/** Contract deadlines for SMTP: connect 10 s, greeting 10 s, socket 30 s. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

function transportFor(channel: EmailChannel) {
  if (!channel.smtpUrl) {
    if (!channel.sendmail || 'error' in channel.sendmail) throw new Error(channel.sendmail?.error ?? 'no sendmail program');
    return createTransport({ sendmail: true, path: channel.sendmail.path, newline: 'unix' });
  }
  const url = new URL(channel.smtpUrl);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  if (user && 'error' in channel.password) throw new Error(channel.password.error);
  const pass = user && 'value' in channel.password ? channel.password.value : undefined;
  return createTransport({
    host: url.hostname,
    port: Number(url.port) || (secure ? 465 : 587),
    secure,
    // Log in only over TLS: smtp:// with a user must upgrade with STARTTLS or give up.
    requireTLS: !secure && Boolean(user),
    ...(user ? { auth: { user, pass: pass ?? '' } } : {}),
    tls: { rejectUnauthorized: true },
    ...SMTP_TIMEOUTS,
  });
}

function describeMailError(error: unknown): { message: string; retryable: boolean } {
  const e = error as { code?: string; responseCode?: number; message?: string };
  // An address or message the server can never take: keeping it would only repeat the refusal.
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return { message: `refused: ${oneLine(e.message ?? '')}`, retryable: false };
  if (e.code === 'EAUTH') return { message: `login refused by the SMTP server (${e.responseCode ?? ''})`.replace(' ()', ''), retryable: false };
  if (e.responseCode && e.responseCode >= 500) return { message: `refused by the server: ${oneLine(e.message ?? '')}`, retryable: false };
  const words: Record<string, string> = {
    ECONNECTION: 'cannot connect to the SMTP server',
    ETIMEDOUT: 'the SMTP server did not answer in time',
    ESOCKET: 'SMTP connection failed',
    ETLS: 'TLS with the SMTP server failed',
  };
  const reason = oneLine(e.message ?? String(error));
  return { message: e.code && words[e.code] ? `${words[e.code]} (${reason})` : reason, retryable: true };
}

/** Rejects the send when the run's time for notifications is over, or cronwrap was told to stop. */
const OUT_OF_TIME = Symbol('out of time');
const STOPPED = Symbol('stopped');

/** Sends the notice by mail. Never throws; bounded by `deadline` (monotonic ms). */
export async function sendEmail(notice: Notice, channel: EmailChannel, { deadline, now, stop }: Budget): Promise<Delivery> {
  if (stop?.aborted) return { ok: false, attempts: 0, error: `email: not sent: ${stopReason(stop)}`, retryable: true };
  let transport;
  try {
    transport = transportFor(channel);
  } catch (error) {
    return { ok: false, attempts: 0, error: `email: ${(error as Error).message}`, retryable: true };
  }
  const message = {
    from: channel.from,
    // The envelope keeps cron-style local names (MAILTO=root) as they are, for sendmail to deliver locally;
    // the To header, which must hold full addresses, names them at this host.
    envelope: { from: channel.from, to: channel.to },
    to: channel.to.map((address) => (address.includes('@') ? address : `${address}@${notice.host}`)),
    subject: subjectOf(notice),
    text: bodyOf(notice),
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Cronwrap-Job': oneLine(notice.job) },
  };
  const left = deadline - now();
  let timer: NodeJS.Timeout | undefined;
  let onStop: (() => void) | undefined;
  try {
    const givenUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(OUT_OF_TIME), Math.max(0, left));
      onStop = () => reject(STOPPED);
      stop?.addEventListener('abort', onStop, { once: true });
    });
    await Promise.race([transport.sendMail(message), givenUp]);
    return { ok: true, attempts: 1, retryable: false };
  } catch (error) {
    if (error === OUT_OF_TIME) return { ok: false, attempts: 1, error: 'email: no time left', retryable: true, outOfTime: true };
    if (error === STOPPED) return { ok: false, attempts: 1, error: `email: not sent: ${stopReason(stop)}`, retryable: true };
    const { message: reason, retryable } = describeMailError(error);
    return { ok: false, attempts: 1, error: `email: ${reason}`, retryable };
  } finally {
    clearTimeout(timer);
    if (onStop) stop?.removeEventListener('abort', onStop);
    transport.close();
  }
}
