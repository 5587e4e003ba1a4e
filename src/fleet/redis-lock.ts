import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { errorCode } from '../errors.js';
import { redactUrl } from '../util/format.js';
import { monotonicMs } from '../util/monotonic.js';

/** Releases only the owner's lock: compare and delete in one step. */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
/** Extends only the owner's lock. */
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/** Bounds on talking to Redis: cron must never hang on it. */
const CONNECT_TIMEOUT_MS = 5000;
const COMMAND_TIMEOUT_MS = 5000;
/** All a connection may receive: the lock's replies are a few bytes, and the ready check's INFO some KiB. */
const MAX_RECEIVED_BYTES = 1024 * 1024;

export interface RedisLockOptions {
  url: string;
  password: string | undefined;
  key: string;
  ttlMs: number;
  waitMs: number;
  /** Waits, or less if cronwrap is told to stop; true when cut short. */
  sleep: (ms: number) => Promise<boolean>;
}

export type RedisLockResult =
  | { state: 'held'; lock: FleetLock }
  | { state: 'busy' }
  | { state: 'unavailable'; reason: string };

/** A held fleet lock: renewed while the job runs, released by its owner only. */
export interface FleetLock {
  /** Problems met while holding it (a failed renewal: Redis went away); empty when all went well. */
  readonly problems: string[];
  release(): Promise<void>;
}

function reasonOf(error: unknown): string {
  if (errorCode(error) === 'ECONNREFUSED') return 'connection refused';
  const message = error instanceof Error ? error.message : String(error);
  if (/certificate/i.test(message)) return `TLS certificate not trusted (${message})`;
  if (/WRONGPASS|NOAUTH/.test(message)) return 'Redis refused the password';
  return message;
}

/**
 * Takes `key` in Redis for this run with `SET key token NX PX ttl` (the token is per run, so two runs on
 * one host exclude each other too), renews it every third of the TTL while held, and releases it with a
 * compare-and-delete, so a crashed host's lock expires by itself and a slow host never frees another's.
 */
export async function acquireRedisLock(options: RedisLockOptions): Promise<RedisLockResult> {
  const redis = new Redis(options.url, {
    ...(options.password ? { password: options.password } : {}),
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    // Never loop reconnecting: an unreachable Redis is answered at once by the fallback policy.
    retryStrategy: () => null,
  });
  // Commands report their own failures; the connection's error says why connecting failed (TLS, refused).
  let connectionError: unknown;
  redis.on('error', (error: unknown) => (connectionError = error));
  // A broken or hostile server could send an endless reply, which the client would buffer whole: cut it off.
  let received = 0;
  redis.once('connect', () => {
    const stream = redis.stream;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= MAX_RECEIVED_BYTES) return;
      stream.off('data', count);
      connectionError = new Error(`Redis sent more than ${MAX_RECEIVED_BYTES / 1024 / 1024} MiB; the connection was cut`);
      redis.disconnect();
    };
    stream.on('data', count);
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    return { state: 'unavailable', reason: `cannot reach Redis at ${redactUrl(options.url, false)}: ${reasonOf(connectionError ?? error)}` };
  }
  const token = randomUUID();
  // A wait is a span: on the monotonic clock, as the host lock's (state/lock.ts), so a clock step neither stretches nor cuts it.
  const deadline = monotonicMs() + options.waitMs;
  try {
    for (;;) {
      if ((await redis.set(options.key, token, 'PX', options.ttlMs, 'NX')) === 'OK') break;
      const left = deadline - monotonicMs();
      if (left <= 0 || (await options.sleep(Math.min(250, left)))) {
        redis.disconnect();
        return { state: 'busy' };
      }
    }
  } catch (error) {
    redis.disconnect();
    return { state: 'unavailable', reason: `Redis at ${redactUrl(options.url, false)}: ${reasonOf(connectionError ?? error)}` };
  }
  const problems: string[] = [];
  const renewal = setInterval(() => {
    redis.eval(RENEW, 1, options.key, token, String(options.ttlMs)).then(
      (renewed) => {
        if (renewed !== 1) problems.push('the fleet lock expired or was taken while the job ran');
      },
      (error: unknown) => problems.push(`cannot renew the fleet lock: ${reasonOf(error)}`),
    );
  }, Math.max(100, Math.floor(options.ttlMs / 3)));
  return {
    state: 'held',
    lock: {
      problems,
      async release() {
        clearInterval(renewal);
        try {
          await redis.eval(RELEASE, 1, options.key, token);
        } catch (error) {
          problems.push(`cannot release the fleet lock (it expires by itself): ${reasonOf(error)}`);
        }
        redis.disconnect();
      },
    },
  };
}
