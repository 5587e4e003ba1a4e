import type { ServeBundle } from './serve-load.js';

/** The single-file build's loadServe: the live view is inside the one file, set up on first use. */
export function loadServe(): ServeBundle {
  return require('../serve/index.js') as ServeBundle;
}
