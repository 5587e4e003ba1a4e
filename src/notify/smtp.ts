import { createTransport } from 'nodemailer';
import { codeOf } from '../errors.js';
import { stopReason, type Budget, type Delivery } from '../net/http.js';
import { arrayOf, isNumber, isRecord, isString, optional, shape } from '../util/check.js';
import type { EmailChannel } from './channels.js';
import { oneLine } from './notice.js';

/** Contract deadlines for SMTP: connect 10 s, greeting 10 s, socket 30 s. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** How one attempt went; `tooBig` when the server's size limit refused it (`limit`: the limit it advertised, if it did). */
export type MailAttempt = { delivery: Delivery; tooBig?: { limit: number | undefined } };

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

/** A recipient the server did not take, as nodemailer reports it. */
interface RefusedRecipient {
  recipient?: string | undefined;
  responseCode?: number | undefined;
  response?: string | undefined;
}

const isRefusedRecipient = shape<RefusedRecipient>({ recipient: optional(isString), responseCode: optional(isNumber), response: optional(isString) });

/** An error's message; what was thrown, as text, when it is not an Error. */
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Put off for now (greylisting's 451, a full mailbox's 452 or 552 to RCPT TO), not refused for good. */
const isDeferral = (refusal: RefusedRecipient) => refusal.responseCode !== undefined && (refusal.responseCode < 500 || refusal.responseCode === 552);

/**
 * Recipients answered one by one: the message went to `accepted`; those put off are kept to be sent
 * again (to them only), those refused for good are said and dropped.
 */
function recipientRefusals(accepted: readonly string[], refusals: readonly RefusedRecipient[]): MailAttempt {
  const deferred = refusals.filter(isDeferral);
  const refused = refusals.filter((refusal) => !isDeferral(refusal));
  const told = (list: readonly RefusedRecipient[]) => list.map((r) => r.recipient ?? '?').join(', ');
  const parts = [
    ...(accepted.length > 0 ? [`sent to ${accepted.join(', ')}`] : []),
    ...(deferred.length > 0 ? [`deferred for ${told(deferred)} by the SMTP server: ${oneLine(deferred[0]!.response ?? '')}`] : []),
    ...(refused.length > 0 ? [`refused for ${told(refused)}: ${oneLine(refused[0]!.response ?? '')}`] : []),
  ];
  const keepFor = deferred.flatMap((r) => (r.recipient ? [r.recipient] : []));
  return { delivery: { ok: false, attempts: 1, error: `email: ${parts.join('; ')}`, retryable: keepFor.length > 0, ...(keepFor.length > 0 ? { keepFor } : {}) } };
}

/** What a size refusal says about the limit: nodemailer refuses itself, naming the SIZE the server advertised. */
const LOCAL_SIZE_REFUSAL = /larger than allowed (\d+)/;

function describeSmtpError(error: unknown): MailAttempt {
  // nodemailer throws Errors with these fields added: each is read only when it has its type.
  const fields = isRecord(error) ? error : {};
  const code = codeOf(error);
  const responseCode = isNumber(fields.responseCode) ? fields.responseCode : undefined;
  const rejected = arrayOf(isRefusedRecipient)(fields.rejectedErrors) ? fields.rejectedErrors : [];
  // Every recipient refused, each with its own answer: keep the alert for those put off only.
  if (code === 'EENVELOPE' && rejected.length > 0) return recipientRefusals([], rejected);
  const said = messageOf(error);
  const reason = oneLine(said);
  const failed = (message: string, retryable: boolean): MailAttempt => ({ delivery: { ok: false, attempts: 1, error: `email: ${message}`, retryable } });
  const advertised = code === 'EMESSAGE' && !responseCode ? LOCAL_SIZE_REFUSAL.exec(said) : null;
  // 552 to MAIL FROM or DATA: the message is over the server's size limit (RFC 1870). To RCPT TO it is a full mailbox, which passes.
  if (advertised || (responseCode === 552 && fields.command !== 'RCPT TO')) {
    return { ...failed(`too big for the SMTP server: ${reason}`, false), tooBig: { limit: advertised ? Number(advertised[1]) : undefined } };
  }
  // 4xx is temporary (greylisting, a full queue, a mailbox over quota): keep the alert and send it again.
  if (responseCode && responseCode < 500) return failed(`deferred by the SMTP server: ${reason}`, true);
  if (responseCode === 552) return failed(`deferred by the SMTP server (mailbox full): ${reason}`, true);
  if (code === 'EAUTH') return failed(`login refused by the SMTP server (${responseCode ?? ''})`.replace(' ()', ''), false);
  // An address or message the server can never take: keeping it would only repeat the refusal.
  if (code === 'EENVELOPE' || code === 'EMESSAGE' || responseCode) return failed(`refused: ${reason}`, false);
  const words: Record<string, string> = {
    ECONNECTION: 'cannot connect to the SMTP server',
    ETIMEDOUT: 'the SMTP server did not answer in time',
    ESOCKET: 'SMTP connection failed',
    ETLS: 'TLS with the SMTP server failed',
  };
  return failed(code && words[code] ? `${words[code]} (${reason})` : reason, true);
}

/** Rejects the send when the run's time for notifications is over, or cronwrap was told to stop. */
const OUT_OF_TIME = Symbol('out of time');
const STOPPED = Symbol('stopped');

/** Sends a composed message over SMTP, its size declared (RFC 1870); bounded by the budget. */
export async function sendSmtp(message: Buffer, envelope: { from: string; to: string[] }, channel: EmailChannel & { smtpUrl: string }, { deadline, now, stop }: Budget): Promise<MailAttempt> {
  let transport;
  try {
    transport = smtpTransport(channel);
  } catch (error) {
    return { delivery: { ok: false, attempts: 0, error: `email: ${messageOf(error)}`, retryable: true } };
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
    const sent: { accepted?: unknown[] | undefined; rejectedErrors?: RefusedRecipient[] | undefined } = await Promise.race([transport.sendMail({ envelope: { ...envelope, size: message.length }, raw: message }), givenUp]);
    if (sent.rejectedErrors && sent.rejectedErrors.length > 0) return recipientRefusals((sent.accepted ?? []).map(String), sent.rejectedErrors);
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

