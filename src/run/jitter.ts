/** FNV-1a, 32 bits: a fixed, well-spread number for a string, without loading node:crypto at start-up. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The start delay for `--jitter`: a fraction of `maxMs` fixed by host and job (a hash, not a random
 * draw), so a fleet spreads its 00:01 load while each host's runs stay evenly spaced.
 */
export function jitterDelay(host: string, job: string, maxMs: number): number {
  if (maxMs <= 0) return 0;
  return Math.floor((fnv1a(`${host}\0${job}`) / 2 ** 32) * maxMs);
}
