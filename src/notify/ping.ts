import { sendWithRetry, type Budget, type Delivery } from '../net/http.js';
import { redactUrl } from '../util/format.js';

export type PingEvent = 'start' | 'success' | 'fail';

/** The healthchecks.io endpoint for an event: URL/start, URL, URL/fail, with the run id as `rid`. */
export function pingUrl(base: string, event: PingEvent, runId: string): string {
  const url = new URL(base);
  url.pathname = url.pathname.replace(/\/+$/, '') + (event === 'success' ? '' : `/${event}`);
  url.searchParams.set('rid', runId);
  return url.toString();
}

/** Sends one ping; `body` is the output tail (at most 10 KB) on success and failure. Never throws. */
export function sendPing(base: string, event: PingEvent, runId: string, body: string, budget: Budget): Promise<Delivery> {
  return sendWithRetry(
    pingUrl(base, event, runId),
    body,
    { headers: { 'content-type': 'text/plain; charset=utf-8' }, label: `ping ${event} ${redactUrl(base)}` },
    budget,
  );
}
