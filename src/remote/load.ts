import { join } from 'node:path';
import type * as Remote from './index.js';

/**
 * Loads the code most runs never need (dist/remote.cjs: mail, PagerDuty, webhooks, pings, Redis,
 * Pushgateway, cron schedules) on first use, so runs that need none of it never read nodemailer, ioredis
 * or croner. The path is
 * computed, so the main bundle does not swallow it; the single-file build swaps in load-inline.ts.
 */
export function loadRemote(): typeof Remote {
  return require(join(__dirname, 'remote.cjs')) as typeof Remote;
}
