/** How long a server asks a client to wait (`Retry-After: 120` or an HTTP date), in ms; undefined when it does not say. */
export function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date names its day and month; Date.parse would also take `-3` as a year.
  const at = /^[a-z]{3},/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The pause before trying again: `backoffMs` spread over half to one and a half times itself, so many
 * hosts failing at one minute's start do not come back in step (the mean stays `backoffMs`).
 */
export function jittered(backoffMs: number, random: () => number = Math.random): number {
  return Math.round(backoffMs * (0.5 + random()));
}
