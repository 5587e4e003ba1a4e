import { sendWithRetry, type Budget, type Delivery } from '../net/http.js';
import { redactUrl } from '../util/format.js';

/** `start`, `success`, `fail`, or the command's own exit status (1-255), which healthchecks.io shows. */
export type PingEvent = 'start' | 'success' | 'fail' | number;

/** What healthchecks.io keeps of a ping's body: its first 100,000 bytes. */
export const PING_BODY_BYTES = 100_000;

/** The healthchecks.io endpoint for an event: URL/start, URL, URL/fail, URL/<status>, with the run id as `rid`. */
export function pingUrl(base: string, event: PingEvent, runId: string): string {
  const url = new URL(base);
  url.pathname = url.pathname.replace(/\/+$/, '') + (event === 'success' ? '' : `/${event}`);
  url.searchParams.set('rid', runId);
  return url.toString();
}

/** Sends one ping; `body` is the log's tail (at most PING_BODY_BYTES) on success and failure. Never throws. */
export function sendPing(base: string, event: PingEvent, runId: string, body: string, budget: Budget): Promise<Delivery> {
  return sendWithRetry(
    pingUrl(base, event, runId),
    body,
    { headers: { 'content-type': 'text/plain; charset=utf-8' }, label: `ping ${event} ${redactUrl(base)}` },
    budget,
  );
}
