// The code that talks to other servers, built as its own file (dist/remote.cjs) and loaded only by runs
// that need it: alerts and pings, the Redis lock, the Pushgateway.
export * from '../notify/index.js';
export * from '../fleet/redis-lock.js';
export { pushMetrics } from '../fleet/pushgateway.js';
