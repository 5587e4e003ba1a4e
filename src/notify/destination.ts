import { redactUrl } from '../util/format.js';
import type { KeptAlert } from './spool.js';

/**
 * Where an alert goes, in the words the operator used: the recipients, the PagerDuty incident key, the
 * webhook's scheme and host (its path and query may hold a token). Never a credential, never a spool's hash.
 */
export function destinationOf(alert: KeptAlert): string {
  if (alert.channel === 'email') return `email to ${alert.to.join(', ')}`;
  if (alert.channel === 'pagerduty') return `pagerduty incident ${alert.dedupKey}`;
  if (alert.url) return `webhook ${redactUrl(alert.url)}`;
  // A URL with a password is not kept, only its scheme and host; kept by an older cronwrap, only the spool's name is left.
  return alert.shown ? `webhook ${alert.shown}` : alert.channel;
}
