import { createHash } from 'node:crypto';

/**
 * The start delay for `--jitter`: a fraction of `maxMs` fixed by host and job (a hash, not a random
 * draw), so a fleet spreads its 00:01 load while each host's runs stay evenly spaced.
 */
export function jitterDelay(host: string, job: string, maxMs: number): number {
  if (maxMs <= 0) return 0;
  const digest = createHash('sha256').update(`${host}\0${job}`).digest();
  return Math.floor((digest.readUIntBE(0, 6) / 2 ** 48) * maxMs);
}
