import { createTransport } from 'nodemailer';
import { stopReason, type Budget, type Delivery } from '../net/http.js';
import type { EmailChannel } from './channels.js';
import { bodyOf, oneLine, outputLines, subjectOf, type Notice } from './notice.js';
import { runSendmail } from './sendmail.js';

/** Contract deadlines for SMTP: connect 10 s, greeting 10 s, socket 30 s. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** How one attempt went; `tooBig` when the server's size limit refused it (`limit`: the limit it advertised, if it did). */
type Attempt = { delivery: Delivery; tooBig?: { limit: number | undefined } };

function smtpTransport(channel: EmailChannel & { smtpUrl: string }) {
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

/** What a size refusal says about the limit: nodemailer refuses itself, naming the SIZE the server advertised. */
const LOCAL_SIZE_REFUSAL = /larger than allowed (\d+)/;

function describeSmtpError(error: unknown): Attempt {
  const e = error as { code?: string; responseCode?: number; message?: string; command?: string };
  const reason = oneLine(e.message ?? String(error));
  const failed = (message: string, retryable: boolean): Attempt => ({ delivery: { ok: false, attempts: 1, error: `email: ${message}`, retryable } });
  const advertised = e.code === 'EMESSAGE' && !e.responseCode ? LOCAL_SIZE_REFUSAL.exec(e.message ?? '') : null;
  // 552 to MAIL FROM or DATA: the message is over the server's size limit (RFC 1870). To RCPT TO it is a full mailbox, which passes.
  if (advertised || (e.responseCode === 552 && e.command !== 'RCPT TO')) {
    return { ...failed(`too big for the SMTP server: ${reason}`, false), tooBig: { limit: advertised ? Number(advertised[1]) : undefined } };
  }
  // 4xx is temporary (greylisting, a full queue, a mailbox over quota): keep the alert and send it again.
  if (e.responseCode && e.responseCode < 500) return failed(`deferred by the SMTP server: ${reason}`, true);
  if (e.responseCode === 552) return failed(`deferred by the SMTP server (mailbox full): ${reason}`, true);
  if (e.code === 'EAUTH') return failed(`login refused by the SMTP server (${e.responseCode ?? ''})`.replace(' ()', ''), false);
  // An address or message the server can never take: keeping it would only repeat the refusal.
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE' || e.responseCode) return failed(`refused: ${reason}`, false);
  const words: Record<string, string> = {
    ECONNECTION: 'cannot connect to the SMTP server',
    ETIMEDOUT: 'the SMTP server did not answer in time',
    ESOCKET: 'SMTP connection failed',
    ETLS: 'TLS with the SMTP server failed',
  };
  return failed(e.code && words[e.code] ? `${words[e.code]} (${reason})` : reason, true);
}

/** The whole message as sent: headers that keep vacation responders and mailing lists quiet, the text body. */
async function composeMessage(notice: Notice, channel: EmailChannel, text: string, newline: 'windows' | 'unix'): Promise<Buffer> {
  const composer = createTransport({ streamTransport: true, buffer: true, newline });
  const info = await composer.sendMail({
    from: channel.from,
    // The To header must hold full addresses: cron-style local names (MAILTO=root) are named at this host.
    to: channel.to.map((address) => (address.includes('@') ? address : `${address}@${notice.host}`)),
    subject: subjectOf(notice),
    text,
    headers: { 'Auto-Submitted': 'auto-generated', Precedence: 'bulk', 'X-Cronwrap-Job': oneLine(notice.job) },
  });
  return info.message as Buffer;
}

/**
 * The body cut so the message fits in `limit` bytes: the facts stay, output lines go (the first ones of
 * the head, then the oldest of the tail) and a line says so. Undefined when even no output is too big.
 */
async function cutToFit(notice: Notice, channel: EmailChannel, limit: number | undefined, newline: 'windows' | 'unix'): Promise<Buffer | undefined> {
  const said = `\n(output cut to fit the mail server's size limit${limit ? ` of ${limit} bytes` : ''}; the log holds all of it)\n`;
  const { totalLines } = notice;
  // Head and tail overlap when they hold all the output: take it as one tail, so each line dropped counts.
  let head = notice.head;
  let tail = totalLines <= head.length + notice.tail.length ? outputLines(notice) : notice.tail;
  if (tail !== notice.tail) head = [];
  // With no limit known, keep no output: the facts alone are the smallest mail.
  if (limit === undefined) head = tail = [];
  for (;;) {
    const cut = { ...notice, head, tail };
    const message = await composeMessage(cut, channel, `${bodyOf(cut)}${said}`, newline);
    // The server's own Received: header and dot-stuffing add a little: leave them room.
    if (limit === undefined || message.length + 512 <= limit) return message;
    if (head.length === 0 && tail.length === 0) return undefined;
    if (head.length > 0) head = head.slice(0, -1);
    else tail = tail.slice(1);
  }
}

/** Rejects the send when the run's time for notifications is over, or cronwrap was told to stop. */
const OUT_OF_TIME = Symbol('out of time');
const STOPPED = Symbol('stopped');

async function sendSmtp(message: Buffer, envelope: { from: string; to: string[] }, channel: EmailChannel & { smtpUrl: string }, { deadline, now, stop }: Budget): Promise<Attempt> {
  let transport;
  try {
    transport = smtpTransport(channel);
  } catch (error) {
    return { delivery: { ok: false, attempts: 0, error: `email: ${(error as Error).message}`, retryable: true } };
  }
  let timer: NodeJS.Timeout | undefined;
  let onStop: (() => void) | undefined;
  try {
    const givenUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(OUT_OF_TIME), Math.max(0, deadline - now()));
      onStop = () => reject(STOPPED);
      stop?.addEventListener('abort', onStop, { once: true });
    });
    // The size declared (RFC 1870) lets a server that advertises SIZE refuse before the message is sent.
    await Promise.race([transport.sendMail({ envelope: { ...envelope, size: message.length }, raw: message }), givenUp]);
    return { delivery: { ok: true, attempts: 1, retryable: false } };
  } catch (error) {
    if (error === OUT_OF_TIME) return { delivery: { ok: false, attempts: 1, error: 'email: no time left', retryable: true, outOfTime: true } };
    if (error === STOPPED) return { delivery: { ok: false, attempts: 1, error: `email: not sent: ${stopReason(stop)}`, retryable: true } };
    return describeSmtpError(error);
  } finally {
    clearTimeout(timer);
    if (onStop) stop?.removeEventListener('abort', onStop);
    transport.close();
  }
}

async function sendLocal(message: Buffer, envelope: { from: string; to: string[] }, channel: EmailChannel, { deadline, now, stop }: Budget): Promise<Attempt> {
  const program = channel.sendmail;
  if (!program || 'error' in program) return { delivery: { ok: false, attempts: 0, error: `email: ${program?.error ?? 'no sendmail program'}`, retryable: true } };
  // Checked when given and when read back from the spool; checked again here, since sendmail would take it for an option.
  const odd = [envelope.from, ...envelope.to].find((address) => address.startsWith('-'));
  if (odd !== undefined) return { delivery: { ok: false, attempts: 0, error: `email: '${oneLine(odd)}' is not a mail address`, retryable: false } };
  const result = await runSendmail(program.path, ['-i', '-f', envelope.from, ...envelope.to], message, deadline - now(), stop);
  if (result.ok) return { delivery: { ok: true, attempts: 1, retryable: false } };
  return { delivery: { ok: false, attempts: 1, error: `email: ${result.error}`, retryable: result.retryable, ...(result.outOfTime ? { outOfTime: true } : {}) } };
}

/**
 * Sends the notice by mail (SMTP, else the local sendmail). A message over the server's size limit is
 * sent once more with its output cut to fit. Never throws; bounded by `budget.deadline` (monotonic ms).
 */
export async function sendEmail(notice: Notice, channel: EmailChannel, budget: Budget): Promise<Delivery> {
  if (budget.stop?.aborted) return { ok: false, attempts: 0, error: `email: not sent: ${stopReason(budget.stop)}`, retryable: true };
  // The envelope keeps cron-style local names (MAILTO=root) as they are, for sendmail to deliver locally.
  const envelope = { from: channel.from, to: channel.to };
  const smtpUrl = channel.smtpUrl;
  // sendmail reads lines ending in LF; SMTP wants CRLF.
  const newline = smtpUrl ? 'windows' : 'unix';
  const send = (message: Buffer) => (smtpUrl ? sendSmtp(message, envelope, { ...channel, smtpUrl }, budget) : sendLocal(message, envelope, channel, budget));
  const first = await send(await composeMessage(notice, channel, bodyOf(notice), newline));
  if (!first.tooBig) return first.delivery;
  const cut = await cutToFit(notice, channel, first.tooBig.limit, newline);
  if (!cut) return { ...first.delivery, error: `${first.delivery.error ?? 'email:'}; even without its output it would not fit` };
  const second = await send(cut);
  return { ...second.delivery, attempts: first.delivery.attempts + second.delivery.attempts };
}
