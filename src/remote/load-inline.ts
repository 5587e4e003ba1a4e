import type * as Remote from './index.js';

/**
 * The single-file build's loadRemote: the code is inside the one file, and esbuild turns this require into
 * a lazy initialiser, so nodemailer and ioredis are set up only by runs that need them (scripts/build.mjs).
 */
export function loadRemote(): typeof Remote {
  return require('./index.js') as typeof Remote;
}
