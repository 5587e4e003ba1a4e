import { hasCredentials } from '../net/url-credentials.js';
import { literal, optional, type Check } from '../util/check.js';
import { redactUrl } from '../util/format.js';
import { fnv1a } from '../util/hash.js';
import type { AlertChannel, KeptAlert } from './channel.js';
import type { WebhookChannel } from './channels.js';
import { keptShape } from './spool.js';
import { sendWebhook } from './webhook.js';

/**
 * A kept webhook alert: its URL and format, so it can be sent to after the job's line is gone. The URL is
 * kept as it is (it is where to send; the file is 0600 in the 0700 state directory), unless it holds a
 * password: then only `shown`, its scheme and host (`https://host/…`) to name it by, and flush needs the
 * webhook named again. Never shown whole.
 */
type KeptPost = KeptAlert & { url?: string; shown?: string; format?: WebhookChannel['format'] };

/** A webhook's spool is named by a hash of its URL, never the URL (it may hold a token). */
export function webhookSpool(url: string): string {
  return `webhook-${fnv1a(url).toString(16).padStart(8, '0')}`;
}

function isHttpUrl(value: unknown): value is string {
  try {
    return typeof value === 'string' && /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}
/** A URL as redactUrl shows it: read back, it is printed, so nothing but a URL's printable characters. */
const isShownUrl = (value: unknown): value is string => typeof value === 'string' && /^https?:\/\/[\x21-\x7e]+…?$/.test(value) && value.length <= 300;
const isPost = keptShape<KeptPost>({ url: optional(isHttpUrl), shown: optional(isShownUrl), format: optional(literal('json', 'slack')) });
/** A kept webhook alert's URL is the one its spool is named by: a file cannot send elsewhere than where it lies. */
const isKeptPost: Check<KeptPost> = (value): value is KeptPost => isPost(value) && (value.url === undefined || webhookSpool(value.url) === value.channel);

/** A URL that receives the run report as JSON or as a Slack message (webhook.ts), each URL its own spool. */
export const webhook: AlertChannel<WebhookChannel, KeptPost> = {
  name: 'webhook',
  setup: '--webhook',
  notConfigured: 'that channel is not configured now: name the webhook with --webhook (its URL was not kept: it holds a password, or an older cronwrap kept the alert)',
  configure: (settings) => settings.webhooks.map((url) => ({ url, format: settings.webhookFormat })),
  label(config, all) {
    const shown = redactUrl(config.url);
    // Two webhooks on one host look the same once redacted: number them, in the order given.
    const twin = all.filter((other) => redactUrl(other.url) === shown).length > 1 ? ` #${all.indexOf(config) + 1}` : '';
    return `webhook ${shown}${twin}`;
  },
  spool: (config) => webhookSpool(config.url),
  ownsSpool: (spool) => /^webhook-[0-9a-f]{8}$/.test(spool),
  alertsFor: (notice, config, spool, keptAt) => [{ channel: spool, notice, ...(hasCredentials(config.url) ? { shown: redactUrl(config.url) } : { url: config.url }), format: config.format, keptAt }],
  send: (alert, config, budget, attempts) => sendWebhook(alert.notice, alert.url ? { url: alert.url, format: alert.format ?? config.format } : config, budget, attempts),
  isKept: isKeptPost,
  // Sent, the label tells twins on one host apart. A URL with a password is not kept, only its scheme and host;
  // kept by an older cronwrap, only the spool's name is left.
  destination: (alert, label) => label ?? (alert.url ? `webhook ${redactUrl(alert.url)}` : alert.shown ? `webhook ${alert.shown}` : alert.channel),
  fromKept: (alert) => (alert.url ? { url: alert.url, format: alert.format ?? 'json' } : undefined),
};
