import type * as Serve from './index.js';

/** The single-file build's loadServe: the live view is inside the one file, set up on first use. */
export function loadServe(): typeof Serve {
  return require('./index.js') as typeof Serve;
}
