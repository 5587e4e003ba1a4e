import { redactUrl } from '../util/format.js';

/** A request follows at most this many redirects: more is a loop, or a server that wanders. */
export const MAX_REDIRECTS = 5;

/** What to do with an answer: follow a redirect (same method, same body), refuse it for good, or take it as it is. */
export type RedirectStep = { follow: URL } | { refused: string } | undefined;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The redirect rules for an alert sent by POST or PUT. fetch's own would turn a 301/302/303 into a GET
 * without the alert, follow another host (taking the alert, and its secrets, where the operator never
 * said) and loop 20 times per attempt. Here a redirect is followed only within the origin of the URL
 * given, with the same method and body (307/308 say so; a 301/302 is taken as curl's --post301/--post302
 * take it); a 303 asks for a GET elsewhere, which would lose the alert, so it is refused, as is a chain
 * longer than MAX_REDIRECTS. A refusal is permanent: sending the alert again would meet it again.
 */
export function redirectStep(status: number, location: string | null, from: URL, origin: URL, followed: number): RedirectStep {
  if (!REDIRECTS.has(status) || location === null) return undefined;
  if (followed >= MAX_REDIRECTS) return { refused: `HTTP ${status}: more than ${MAX_REDIRECTS} redirects (a loop?); give the URL the server finally answers at` };
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    return { refused: `HTTP ${status}: redirected to an invalid URL` };
  }
  if (target.origin !== origin.origin) {
    return { refused: `HTTP ${status}: redirected to ${redactUrl(target.href)}, another host than the URL given; not followed (the alert goes only where you said); give that URL if the move is meant` };
  }
  if (status === 303) return { refused: 'HTTP 303: the server sends the alert on to a page to GET, which would drop it; give the URL that takes the POST' };
  // Credentials in a Location would replace the ones given: the Authorization header stays the URL's own.
  target.username = '';
  target.password = '';
  return { follow: target };
}
