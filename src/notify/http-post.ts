import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** How one delivery went: what a person reads in the footer, history and `test-alert`. */
export interface Delivery {
  ok: boolean;
  attempts: number;
  /** The error in plain words when not ok (never holding a secret). */
  error?: string;
  /** True when trying again later could help (network, 408, 429, 5xx); false for other 4xx. */
  retryable: boolean;
}

export interface PostOptions {
  /** Per request (contract: 10 s). */
  timeoutMs: number;
  /** Monotonic time (ms) by which all attempts must be over. */
  deadline: number;
  headers?: Record<string, string>;
  /** Pause before the second attempt; doubles after each. */
  backoffMs?: number;
  maxAttempts?: number;
  /** POST unless told otherwise (the Pushgateway replaces a group with PUT). */
  method?: 'POST' | 'PUT';
  /** How to name the target in messages: never the full URL, which may hold a token. */
  label: string;
}

/** `https://hc.example.com/…`: the URL without path or query, which may carry a token. */
export function redactUrl(url: string): string {
  try {
    const { protocol, host } = new URL(url);
    return `${protocol}//${host}/…`;
  } catch {
    return '(an invalid URL)';
  }
}

interface Answer {
  status: number;
  body: string;
}

function postOnce(url: URL, body: string, headers: Record<string, string>, timeoutMs: number, method: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < 64 * 1024) chunks.push(chunk); // enough to read an error; never hold a huge answer
        size += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // `timeout` is idle time on the socket; this bounds the whole exchange.
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const RETRYABLE_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;

function networkError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    CERT_HAS_EXPIRED: 'TLS certificate expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate not trusted (self-signed)',
    SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate not trusted (self-signed in chain)',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
    ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate is for another host',
  };
  return (e?.code && words[e.code]) ?? e?.message ?? String(error);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * POSTs `body`, retrying with backoff on network errors, 408, 429 and 5xx (never on other 4xx), each
 * request bounded by `timeoutMs` and all of them by `deadline`. `accept` decides whether an answer is a
 * success (default: 2xx). Never throws.
 */
export async function postWithRetry(
  url: string,
  body: string,
  options: PostOptions,
  now: () => number,
  accept: (answer: Answer) => boolean = (a) => a.status >= 200 && a.status < 300,
): Promise<Delivery> {
  let target: URL;
  try {
    target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    return { ok: false, attempts: 0, error: `${options.label}: not an http(s) URL`, retryable: false };
  }
  let backoff = options.backoffMs ?? 1000;
  let last = 'no time left';
  let attempt = 0;
  while (attempt < (options.maxAttempts ?? 4)) {
    const left = options.deadline - now();
    if (left <= 0) break;
    attempt++;
    try {
      const answer = await postOnce(target, body, options.headers ?? {}, Math.min(options.timeoutMs, left), options.method ?? 'POST');
      if (accept(answer)) return { ok: true, attempts: attempt, retryable: false };
      last = `HTTP ${answer.status}${answer.body ? `: ${answer.body.slice(0, 200).replace(/\s+/g, ' ')}` : ''}`;
      if (!RETRYABLE_STATUS(answer.status)) return { ok: false, attempts: attempt, error: `${options.label}: ${last}`, retryable: false };
    } catch (error) {
      last = networkError(error);
    }
    if (options.deadline - now() <= backoff) break;
    await sleep(backoff);
    backoff *= 2;
  }
  return { ok: false, attempts: attempt, error: `${options.label}: ${last}`, retryable: true };
}
