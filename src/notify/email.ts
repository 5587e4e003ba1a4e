import { stopReason, type Budget, type Delivery } from '../net/http.js';
import type { EmailChannel } from './channels.js';
import { composeMessage, cutToFit } from './mail-message.js';
import { bodyOf, oneLine, type Notice } from './notice.js';
import { runSendmail } from './sendmail.js';
import { sendSmtp, type MailAttempt } from './smtp.js';

/** Hands a composed message to the local sendmail (recipients as arguments, as cron does). */
async function sendLocal(message: Buffer, envelope: { from: string; to: string[] }, channel: EmailChannel, { deadline, now, stop }: Budget): Promise<MailAttempt> {
  const program = channel.sendmail;
  if (!program || 'error' in program) return { delivery: { ok: false, attempts: 0, error: `email: ${program?.error ?? 'no sendmail program'}`, retryable: true } };
  // Checked when given and when read back from the spool; checked again here, since sendmail would take it for an option.
  const odd = [envelope.from, ...envelope.to].find((address) => address.startsWith('-'));
  if (odd !== undefined) return { delivery: { ok: false, attempts: 0, error: `email: '${oneLine(odd)}' is not a mail address`, retryable: false } };
  const left = deadline - now();
  if (left <= 0) return { delivery: { ok: false, attempts: 0, error: 'email: no time left', retryable: true, outOfTime: true } };
  const result = await runSendmail(program, ['-i', '-f', envelope.from, ...envelope.to], message, left, stop);
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
  const newline = smtpUrl ? 'windows' : 'unix';
  const send = (message: Buffer) => (smtpUrl ? sendSmtp(message, envelope, { ...channel, smtpUrl }, budget) : sendLocal(message, envelope, channel, budget));
  const first = await send(await composeMessage(notice, channel, bodyOf(notice), newline));
  if (!first.tooBig) return first.delivery;
  const cut = await cutToFit(notice, channel, first.tooBig.limit, newline);
  if (!cut) return { ...first.delivery, error: `${first.delivery.error ?? 'email:'}; even without its output it would not fit` };
  const second = await send(cut);
  return { ...second.delivery, attempts: first.delivery.attempts + second.delivery.attempts };
}
