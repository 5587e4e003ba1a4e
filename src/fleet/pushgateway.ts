import { sendWithRetry, type Budget, type Delivery } from '../net/http.js';

/** The Pushgateway group of a job on a host: `/metrics/job/<job>/instance/<host>`. */
export function pushUrl(base: string, job: string, host: string): string {
  return `${base.replace(/\/+$/, '')}/metrics/job/${encodeURIComponent(job)}/instance/${encodeURIComponent(host)}`;
}

/** Replaces the job's group on the Pushgateway (PUT) with these metrics. Never throws. */
export function pushMetrics(base: string, job: string, host: string, text: string, budget: Budget): Promise<Delivery> {
  return sendWithRetry(pushUrl(base, job, host), text, { method: 'PUT', headers: { 'content-type': 'text/plain; version=0.0.4' }, label: 'pushgateway', maxAttempts: 2 }, budget);
}
