import type { Settings } from '../config/options.js';
import { readSecret } from '../util/secret-file.js';
import type { FleetLock, RedisLockResult } from '../fleet/redis-lock.js';
import { loadRemote } from '../remote/load.js';
import type { RunOutcome } from './run-values.js';

/** `--lock-redis`: what became of the fleet-wide lock, and what went wrong on the way (for footer and alerts). */
export type FleetLockState =
  | { state: 'held'; lock: FleetLock; problems: string[]; warning?: undefined }
  /** No fleet lock: none configured, or Redis could not be reached and `--lock-redis-fallback run`. */
  | { state: 'without'; problems: string[]; warning?: string }
  | { state: 'skip'; outcome: RunOutcome; problems: string[]; warning?: string };

/**
 * Takes the fleet lock. Busy means skip; Redis unreachable means skip too, or run without the lock with
 * `--lock-redis-fallback run`; either way the warning says so.
 */
export async function takeFleetLock(settings: Settings, job: string, sleep: (ms: number) => Promise<boolean>): Promise<FleetLockState> {
  if (!settings.lockRedisUrl) return { state: 'without', problems: [] };
  const password = readSecret(settings.lockRedisPassword, settings.lockRedisPasswordFile, 'CRONWRAP_LOCK_REDIS_PASSWORD_FILE');
  const problems = 'error' in password ? [password.error] : [];
  const value = 'value' in password ? password.value : undefined;
  // A password over plain redis:// can be read by anyone on the path: only when the operator says so.
  const inClear = value !== undefined && settings.lockRedisUrl.startsWith('redis:') && !settings.lockRedisCleartextPassword;
  const result: RedisLockResult = inClear
    ? { state: 'unavailable', reason: 'the Redis password would go over redis:// in clear: use rediss:// (TLS), or --lock-redis-cleartext-password' }
    : await loadRemote().acquireRedisLock({ url: settings.lockRedisUrl, password: value, key: `cronwrap:lock:${job}`, ttlMs: settings.lockRedisTtlMs, waitMs: settings.lockWaitMs, sleep });
  const skip = (reason: string): RunOutcome => ({ kind: 'lock-busy', exitCode: settings.lockBusyExit, reason });
  if (result.state === 'held') return { state: 'held', lock: result.lock, problems };
  if (result.state === 'busy') return { state: 'skip', outcome: skip('another run of the job holds the fleet lock (Redis)'), problems };
  problems.push(result.reason);
  if (settings.lockRedisFallback === 'run') {
    return { state: 'without', problems, warning: `${result.reason}; running without the fleet lock (--lock-redis-fallback run)` };
  }
  return {
    state: 'skip',
    outcome: skip(`the fleet lock could not be taken: ${result.reason}`),
    problems,
    warning: `${result.reason}; the run is skipped (--lock-redis-fallback skip)`,
  };
}
