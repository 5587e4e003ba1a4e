import { join } from 'node:path';
import type * as Serve from './index.js';

/** Loads the live view (dist/serve.cjs: the server and the page) only for `cronwrap serve`; the single file swaps in load-inline.ts. */
export function loadServe(): typeof Serve {
  return require(join(__dirname, 'serve.cjs')) as typeof Serve;
}
