import { codeOf } from '../errors.js';
import { escapeControl, redactUrls } from '../util/format.js';
import { sleep } from '../util/sleep.js';
import { redirectStep } from './redirects.js';
import { jittered, retryAfterMs } from './retry-pause.js';
import { splitCredentials } from './url-credentials.js';

/** One HTTP request (PagerDuty, webhook, ping, Pushgateway) is given up after this long (contract). */
export const HTTP_TIMEOUT_MS = 10_000;

/** How one delivery went: what a person reads in the footer, history and `test-alert`. */
export interface Delivery {
  ok: boolean;
  attempts: number;
  /** The error in plain words when not ok (never holding a secret). */
  error?: string;
  /** True when trying again later could help (network, 408, 429, 5xx); false for other 4xx. */
  retryable: boolean;
  /** The run's time for notifications ran out before this delivery could finish. */
  outOfTime?: boolean;
  /** The recipients still to reach when a mail server took the message for others: what is kept is for them only. */
  keepFor?: string[];
  /** How long the server asked to be left alone (Retry-After) when that was longer than the run could wait. */
  retryAfterMs?: number;
}

/** How long sending may take: a deadline on the monotonic clock, and a signal that stops it sooner. */
export interface Budget {
  /** Monotonic time (ms) by which all attempts must be over. */
  deadline: number;
  now: () => number;
  /** Aborted when cronwrap is told to stop: what is not sent by then is given up (and kept). */
  stop?: AbortSignal;
  /** Aborted when no further attempt may start; one in flight runs to its answer (a start ping once its run ended). */
  noRetry?: AbortSignal;
  /** Wall-clock ms (io.now): a Retry-After may be a date, and what is kept is dated by it. */
  wallNow: () => number;
}

/** Why a budget's stop fired, for messages. */
export function stopReason(stop: AbortSignal | undefined): string {
  return stop?.reason instanceof Error ? stop.reason.message : 'cronwrap was stopped';
}

export interface SendOptions {
  headers?: Record<string, string>;
  /** Pause before the second attempt (spread by jitter); doubles after each. A server's Retry-After comes first. */
  backoffMs?: number;
  maxAttempts?: number;
  /** POST unless told otherwise (the Pushgateway replaces a group with PUT; a question, such as Alertmanager's silences, is a GET). */
  method?: 'POST' | 'PUT' | 'GET';
  /** How to name the target in messages: never the full URL, which may hold a token. */
  label: string;
  /** Values a server might echo back (the routing key in the body): never in an error text. */
  secrets?: readonly string[];
}

/** What of a request must never be shown: its secrets, the URL's credentials, path and query. */
function hiddenParts(url: URL, secrets: readonly string[]): string[] {
  const sent = [...secrets, ...splitCredentials(url).secrets, `${url.pathname}${url.search}`, url.pathname, url.search];
  return sent.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * The one redaction of an error text about a request, before it leaves this module for stderr, the log,
 * the history, a mail or a kept alert: every URL in it reduced to its host, and whatever was sent that
 * must stay secret (the request's secrets, the URL's password, path and query) replaced.
 */
function redacted(text: string, hidden: readonly string[]): string {
  let result = redactUrls(text);
  for (const secret of hidden) result = result.split(secret).join('(hidden)');
  return result;
}

/** An answer's text as an error may hold it: redacted before it is cut (a cut secret would no longer match), control characters escaped, 200 characters. */
function serverText(body: string, hidden: readonly string[]): string {
  return escapeControl(redacted(body, hidden).slice(0, 400).replace(/\s+/g, ' ')).slice(0, 200);
}

export interface Answer {
  status: number;
  body: string;
  /** The server's Retry-After, in ms, when it gave one. */
  retryAfterMs?: number;
}

/** Enough of an answer to read an error; a huge answer is never held. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** An answer cut at `maxBytes`, which a caller that needs the whole answer must not read as one. */
class AnswerTooLarge extends Error {}

async function readAnswer(response: Response, maxBytes = MAX_ANSWER_BYTES, whole = false): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size >= maxBytes) {
      await reader.cancel();
      if (whole) throw new AnswerTooLarge(`the answer is larger than ${Math.round(maxBytes / 1024)} KiB`);
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * One attempt: the request, and the redirects within its origin (redirects.ts), each with the same method,
 * headers and body. The URL's credentials go as basic auth. `refused` is a redirect not followed (permanent).
 */
async function sendOnce(
  url: URL,
  body: string | undefined,
  options: SendOptions,
  timeoutMs: number,
  stop: AbortSignal | undefined,
  wallNow: () => number,
  wholeAnswer?: number,
): Promise<Answer | { refused: string }> {
  // AbortSignal.timeout bounds the whole exchange: connecting, redirects, the answer's headers and its body.
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = stop ? AbortSignal.any([timeout, stop]) : timeout;
  const { url: bare, authorization } = splitCredentials(url);
  const headers = { ...options.headers, ...(authorization ? { authorization } : {}) };
  let target = bare;
  for (let followed = 0; ; followed++) {
    const response = await fetch(target, { method: options.method ?? 'POST', headers, body: body ?? null, signal, redirect: 'manual' });
    const step = redirectStep(response.status, response.headers.get('location'), target, bare, followed);
    if (step === undefined) {
      const retryAfter = retryAfterMs(response.headers.get('retry-after'), wallNow());
      const text = wholeAnswer === undefined ? await readAnswer(response) : await readAnswer(response, wholeAnswer, true);
      return { status: response.status, body: text, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) };
    }
    await response.body?.cancel();
    if ('refused' in step) return step;
    target = step.follow;
  }
}

const RETRYABLE_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_SOCKET: 'connection closed by the server',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate not trusted (self-signed)',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate not trusted (self-signed in chain)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate is for another host',
};

/** The error fetch wrapped (the system's, undici's), if any. */
const causeOf = (error: unknown): Error | undefined => (error instanceof Error && error.cause instanceof Error ? error.cause : undefined);

/** A port fetch never connects to (the Fetch standard's "bad ports", such as 6000): no later try can succeed. */
const isBadPort = (error: unknown) => causeOf(error)?.message === 'bad port';

/** fetch wraps the system error in `cause`; a timeout is a TimeoutError. */
function networkError(error: unknown, timeoutMs: number): string {
  if (error instanceof AnswerTooLarge) return error.message;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs / 1000}s`;
  if (isBadPort(error)) return 'fetch refuses this port (a "bad port" of the Fetch standard); use another port';
  const cause = causeOf(error);
  const code = codeOf(cause) ?? codeOf(error);
  return (code && NETWORK_WORDS[code]) ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** What a question (a GET) got: the whole 2xx answer, or why not in words that hold no secret. */
export type Fetched = { ok: true; body: string } | { ok: false; error: string };

/**
 * Asks `url` once (GET, no retry: the caller asks again later), bounded by `timeoutMs` from connecting to the
 * answer's last byte and by `stop`; an answer over `maxBytes` is refused, not cut. Never throws.
 */
export async function fetchText(url: string, options: Omit<SendOptions, 'method' | 'backoffMs' | 'maxAttempts'> & { maxBytes: number }, timeoutMs: number, wallNow: () => number, stop?: AbortSignal): Promise<Fetched> {
  let target: URL;
  try {
    target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return { ok: false, error: `${options.label}: not an http(s) URL` };
  }
  const hidden = hiddenParts(target, options.secrets ?? []);
  const failed = (reason: string): Fetched => ({ ok: false, error: redacted(`${options.label}: ${reason}`, hidden) });
  try {
    const answer = await sendOnce(target, undefined, { ...options, method: 'GET' }, timeoutMs, stop, wallNow, options.maxBytes);
    if ('refused' in answer) return failed(answer.refused);
    if (answer.status < 200 || answer.status > 299) return failed(`HTTP ${answer.status}${answer.body ? `: ${serverText(answer.body, hidden)}` : ''}`);
    return { ok: true, body: answer.body };
  } catch (error) {
    return failed(networkError(error, timeoutMs));
  }
}

/**
 * Sends `body`, retrying with backoff on network errors, 408, 429 and 5xx (never on other 4xx), each
 * request bounded by HTTP_TIMEOUT_MS and all of them by the budget. `accept` decides whether an answer is
 * a success (default: 2xx). Never throws.
 */
export async function sendWithRetry(
  url: string,
  body: string,
  options: SendOptions,
  { deadline, now, stop, noRetry, wallNow }: Budget,
  accept: (answer: Answer) => boolean = (a) => a.status >= 200 && a.status < 300,
): Promise<Delivery> {
  let target: URL;
  try {
    target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return { ok: false, attempts: 0, error: `${options.label}: not an http(s) URL`, retryable: false };
  }
  const hidden = hiddenParts(target, options.secrets ?? []);
  const failed = (attempts: number, reason: string, retryable: boolean, outOfTime = false): Delivery => ({
    ok: false,
    attempts,
    error: redacted(`${options.label}: ${reason}`, hidden),
    retryable,
    ...(outOfTime ? { outOfTime } : {}),
  });
  let backoff = options.backoffMs ?? 1000;
  let last = 'no time left';
  let attempt = 0;
  let outOfTime = false;
  const maxAttempts = options.maxAttempts ?? 4;
  while (attempt < maxAttempts) {
    if (stop?.aborted) return failed(attempt, `not sent: ${stopReason(stop)}`, true);
    const left = deadline - now();
    if ((outOfTime = left <= 0)) break;
    attempt++;
    const timeoutMs = Math.ceil(Math.min(HTTP_TIMEOUT_MS, left));
    let pause = jittered(backoff);
    try {
      const answer = await sendOnce(target, body, options, timeoutMs, stop, wallNow);
      if ('refused' in answer) return failed(attempt, answer.refused, false);
      if (accept(answer)) return { ok: true, attempts: attempt, retryable: false };
      last = `HTTP ${answer.status}${answer.body ? `: ${serverText(answer.body, hidden)}` : ''}`;
      if (!RETRYABLE_STATUS(answer.status)) return failed(attempt, last, false);
      if (answer.retryAfterMs !== undefined) {
        pause = answer.retryAfterMs;
        // A wait past the deadline would hold cron: give up now; the alert is kept for a later run.
        if (attempt < maxAttempts && deadline - now() <= pause) {
          return { ...failed(attempt, `${last} (the server asks to wait ${Math.ceil(pause / 1000)}s, longer than the time left)`, true), retryAfterMs: pause };
        }
      }
    } catch (error) {
      last = networkError(error, timeoutMs);
      if (isBadPort(error)) return failed(attempt, last, false);
    }
    if (attempt === maxAttempts || noRetry?.aborted) break;
    if ((outOfTime = deadline - now() <= pause)) break;
    await sleep(pause, noRetry && stop ? AbortSignal.any([stop, noRetry]) : (noRetry ?? stop));
    if (noRetry?.aborted) break;
    backoff *= 2;
  }
  return failed(attempt, last, true, outOfTime);
}
