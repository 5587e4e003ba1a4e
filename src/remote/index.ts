// The code most runs never need, built as its own file (dist/remote.cjs) and loaded only by runs that
// need it: talking to other servers (alerts and pings, the Redis lock, the Pushgateway) and reading
// cron schedules (croner, cronstrue).
export * from '../notify/index.js';
export * from '../fleet/redis-lock.js';
export { pushMetrics } from '../fleet/pushgateway.js';
export { describeSchedule, nextRuns, shortestInterval } from '../cron/schedule.js';
