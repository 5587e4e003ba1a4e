import { join } from 'node:path';
import type * as Remote from './index.js';
import type * as Schedule from './schedule.js';
import type * as Silences from './silences.js';

/**
 * Loads the code that talks to other servers (dist/remote.cjs: mail, PagerDuty, webhooks, pings, Redis,
 * Pushgateway) on first use, so runs that need none of it never read nodemailer or ioredis. The path is
 * computed, so the main bundle does not swallow it; the single-file build swaps in load-inline.ts.
 */
export function loadRemote(): typeof Remote {
  return require(join(__dirname, 'remote.cjs')) as typeof Remote;
}

/** Loads cron schedules (dist/schedule.cjs: croner, cronstrue) on first use, the same way. */
export function loadSchedule(): typeof Schedule {
  return require(join(__dirname, 'schedule.cjs')) as typeof Schedule;
}

/** Loads Alertmanager's silences (dist/silences.cjs: the HTTP client, the matchers, the kept answer) on first use, the same way. */
export function loadSilences(): typeof Silences {
  return require(join(__dirname, 'silences.cjs')) as typeof Silences;
}
