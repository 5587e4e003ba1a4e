import { createTransport } from 'nodemailer';
import type { EmailChannel } from './channels.js';
import { bodyOf, oneLine, outputLines, subjectOf, type Notice } from './notice.js';

/** sendmail reads lines ending in LF; SMTP wants CRLF. */
export type Newline = 'windows' | 'unix';

/** The whole message as sent: headers that keep vacation responders and mailing lists quiet, the text body. */
export async function composeMessage(notice: Notice, channel: EmailChannel, text: string, newline: Newline): Promise<Buffer> {
  const composer = createTransport({ streamTransport: true, buffer: true, newline });
  const info = await composer.sendMail({
    from: channel.from,
    // The To header must hold full addresses: cron-style local names (MAILTO=root) are named at this host.
    to: channel.to.map((address) => (address.includes('@') ? address : `${address}@${notice.host}`)),
    subject: subjectOf(notice),
    text,
    headers: { 'Auto-Submitted': 'auto-generated', Precedence: 'bulk', 'X-Cronwrap-Job': oneLine(notice.job) },
  });
  // `buffer: true` makes it a Buffer; the type also allows the stream it would be without.
  if (!Buffer.isBuffer(info.message)) throw new Error('nodemailer composed the message as a stream, not a Buffer');
  return info.message;
}

/**
 * The body cut so the message fits in `limit` bytes: the facts stay, output lines go (the first ones of
 * the head, then the oldest of the tail) and a line says so. Undefined when even no output is too big.
 */
export async function cutToFit(notice: Notice, channel: EmailChannel, limit: number | undefined, newline: Newline): Promise<Buffer | undefined> {
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

