import { sendWithRetry, type Budget, type Delivery } from '../net/http.js';

/** The Pushgateway group of a job on a host: `/metrics/job/<job>/instance/<host>` under the base's path, its query and credentials kept. */
export function pushUrl(base: string, job: string, host: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/metrics/job/${encodeURIComponent(job)}/instance/${encodeURIComponent(host)}`;
  return url.href;
}

/** Replaces the job's group on the Pushgateway (PUT) with these metrics. Never throws for a URL the settings took. */
export function pushMetrics(base: string, job: string, host: string, text: string, budget: Budget): Promise<Delivery> {
  return sendWithRetry(pushUrl(base, job, host), text, { method: 'PUT', headers: { 'content-type': 'text/plain; version=0.0.4' }, label: 'pushgateway', maxAttempts: 2 }, budget);
}
