import { fnv1a } from '../util/hash.js';

/**
 * The start delay for `--jitter`: a fraction of `maxMs` fixed by host and job (a hash, not a random
 * draw), so a fleet spreads its 00:01 load while each host's runs stay evenly spaced.
 */
export function jitterDelay(host: string, job: string, maxMs: number): number {
  if (maxMs <= 0) return 0;
  return Math.floor((fnv1a(`${host}\0${job}`) / 2 ** 32) * maxMs);
}
