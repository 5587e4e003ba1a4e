import { randomUUID } from 'node:crypto';
import { HTTP_TIMEOUT_MS, type Delivery } from '../net/http.js';
import { monotonicMs } from '../util/monotonic.js';
import { sendPing } from './ping.js';

/**
 * A run's URL/start, sent alongside the job under a new run id (healthchecks.io wants a UUID), retried for
 * at most HTTP_TIMEOUT_MS. Its end ping waits until it `settled`, so a server never handles a run's end
 * before its start.
 */
export class StartPing {
  readonly runId = randomUUID();
  readonly settled: Promise<Delivery>;
  private readonly runEnded = new AbortController();
  private readonly stopped = new AbortController();

  /** `wallNow`: the run's wall clock (io.now), for a Retry-After date. */
  constructor(base: string, wallNow: () => number) {
    const budget = { deadline: monotonicMs() + HTTP_TIMEOUT_MS, now: monotonicMs, wallNow, noRetry: this.runEnded.signal, stop: this.stopped.signal };
    this.settled = sendPing(base, 'start', this.runId, '', budget);
  }

  /** The run is over: no further try starts (it would follow the end); once `stop` aborts, the one in flight is given up too. */
  runOver(stop: AbortSignal): void {
    this.runEnded.abort();
    if (stop.aborted) this.stopped.abort(stop.reason);
    else stop.addEventListener('abort', () => this.stopped.abort(stop.reason), { once: true });
  }
}
