import type { ChannelResult } from './deliver.js';
import { bodyOf, type Notice } from './notice.js';

/**
 * The text cron mails when a run's alert could not go everywhere: each channel that did not take it, why,
 * and whether it was kept, then the alert itself, so the person reading cron's mail knows what to fix.
 */
export function undeliveredText(notice: Notice, failed: readonly ChannelResult[]): string {
  const lines = failed.map((r) => {
    const fate = r.kept ? 'kept: a later run or `cronwrap flush` sends it again' : 'not kept: sending it again would not help';
    // Errors begin with the channel's label, which the destination already says more fully.
    const reason = r.error?.startsWith(`${r.channel}: `) ? r.error.slice(r.channel.length + 2) : (r.error ?? 'not sent');
    return `  ${r.destination}: ${reason} (${fate})`;
  });
  return `this alert could not be delivered by ${failed.length === 1 ? 'one channel' : `${failed.length} channels`}:\n${lines.join('\n')}\n\n${bodyOf(notice)}`;
}
