import * as remote from './index.js';

/** The single-file build's loadRemote: everything is inside the one file (scripts/build.mjs). */
export function loadRemote(): typeof remote {
  return remote;
}
