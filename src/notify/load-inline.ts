import * as notify from './index.js';

/** The single-file build's loadNotify: the delivery code is inside the one file (scripts/build.mjs). */
export function loadNotify(): typeof notify {
  return notify;
}
