import type { Settings } from '../cli/options.js';
import type { FleetLock } from '../fleet/redis-lock.js';
import { readSecret } from '../notify/secrets.js';
import { warn } from '../output/console.js';
import { loadRemote } from '../remote/load.js';
import type { Outcome } from './outcome.js';

/**
 * `--lock-redis`: the fleet-wide lock. Busy means skip; Redis unreachable means skip too, or run without
 * the lock with `--lock-redis-fallback run`; either way cronwrap says so on stderr and in the footer.
 */
export async function takeFleetLock(
  settings: Settings,
  job: string,
  sleep: (ms: number) => Promise<boolean>,
  problems: string[],
): Promise<{ lock?: FleetLock; skip?: Outcome }> {
  if (!settings.lockRedisUrl) return {};
  let password: string | undefined;
  try {
    password = readSecret(settings.lockRedisPassword, settings.lockRedisPasswordFile, 'CRONWRAP_LOCK_REDIS_PASSWORD_FILE');
  } catch (error) {
    problems.push((error as Error).message);
  }
  const result = await loadRemote().acquireRedisLock({
    url: settings.lockRedisUrl,
    password,
    key: `cronwrap:lock:${job}`,
    ttlMs: settings.lockRedisTtlMs,
    waitMs: settings.lockWaitMs,
    sleep,
  });
  if (result.state === 'held') return { lock: result.lock };
  if (result.state === 'busy') return { skip: { kind: 'lock-busy', exitCode: settings.lockBusyExit, reason: 'another run of the job holds the fleet lock (Redis)' } };
  problems.push(result.reason);
  if (settings.lockRedisFallback === 'run') {
    warn(`${result.reason}; running without the fleet lock (--lock-redis-fallback run)`);
    return {};
  }
  warn(`${result.reason}; the run is skipped (--lock-redis-fallback skip)`);
  return { skip: { kind: 'lock-busy', exitCode: settings.lockBusyExit, reason: `the fleet lock could not be taken: ${result.reason}` } };
}
