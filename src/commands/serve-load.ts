import { join } from 'node:path';
import type { Listen } from '../config/value-types.js';
import type { Io } from '../io.js';
import type { Viewer } from './own-lines.js';

export interface ServeOptions {
  listen: Listen;
  stateDir: string;
  /** Where the crontabs are read (the job list includes jobs a crontab runs under cronwrap). */
  cronRoot: string;
  /** Whose crontab lines are the jobs shown (own-lines.ts). */
  viewer: Viewer;
  defaultLog: (job: string) => string;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
}

/** What the live view's bundle exports (src/serve/index.ts implements it). */
export interface ServeBundle {
  runServe(options: ServeOptions, io: Io): Promise<number>;
}

/** Loads the live view (dist/serve.cjs: the server and the page) only for `cronwrap serve`; the single file swaps in serve-load-inline.ts. */
export function loadServe(): ServeBundle {
  return require(join(__dirname, 'serve.cjs')) as ServeBundle;
}
