import { join } from 'node:path';
import type * as Notify from './index.js';

/**
 * Loads the delivery code (dist/notify.cjs, built from notify/index.ts) on first use, so runs that do
 * not alert never read nodemailer. The path is computed, so the main bundle does not swallow it.
 */
export function loadNotify(): typeof Notify {
  return require(join(__dirname, 'notify.cjs')) as typeof Notify;
}
