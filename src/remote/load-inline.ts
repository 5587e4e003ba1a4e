import type * as Remote from './index.js';
import type * as Schedule from './schedule.js';
import type * as Silences from './silences.js';

/**
 * The single-file build's loadRemote: the code is inside the one file, and esbuild turns this require into
 * a lazy initialiser, so nodemailer and ioredis are set up only by runs that need them (scripts/build.mjs).
 */
export function loadRemote(): typeof Remote {
  return require('./index.js') as typeof Remote;
}

/** The single-file build's loadSchedule: croner and cronstrue are inside the one file, set up on first use. */
export function loadSchedule(): typeof Schedule {
  return require('./schedule.js') as typeof Schedule;
}

/** The single-file build's loadSilences: Alertmanager's silences are inside the one file. */
export function loadSilences(): typeof Silences {
  return require('./silences.js') as typeof Silences;
}
