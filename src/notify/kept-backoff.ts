/**
 * When a kept alert is tried again. Each one backs off on its own: the first re-send a minute after it was
 * kept, then twice as long after each failed re-send, up to an hour; so a channel that stays down costs a
 * run at most the alerts that are due, never every alert ever kept.
 */
export const FIRST_RETRY_MS = 60_000;
export const MAX_RETRY_MS = 3600_000;

/** The retry fields a kept alert carries: its failed re-sends so far and when it may be tried next. */
export interface Backoff {
  retries?: number;
  nextAt?: string;
}

/**
 * The backoff of an alert kept (retries 0) or re-sent in vain `retries` times, from `now`; at least what the
 * server asked (`askedMs`, its Retry-After), within the longest wait.
 */
export function backoffAfter(retries: number, now: number, askedMs = 0): Required<Backoff> {
  const wait = Math.min(MAX_RETRY_MS, Math.max(askedMs, FIRST_RETRY_MS * 2 ** Math.min(retries, 20)));
  return { retries, nextAt: new Date(now + wait).toISOString() };
}

/**
 * Whether a kept alert may be tried at `now`. One kept before backoff existed is due; so is one whose next
 * try lies further ahead than the longest wait (the clock was stepped back): it must not wait for ever.
 */
export function isDue({ nextAt }: Backoff, now: number): boolean {
  if (nextAt === undefined) return true;
  const at = Date.parse(nextAt);
  return at <= now || at - now > MAX_RETRY_MS;
}

/** A stored `retries` count: a whole number, not negative. */
export const isRetries = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** A stored `nextAt`: a time Date can read. */
export const isTime = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value));
