import { renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeDirs } from '../util/make-dirs.js';

/** Replaces a file atomically (a temp file beside it, then rename): a reader sees the old or the new, whole. */
export function replaceFile(path: string, content: string, mode: number, dirMode = 0o700): void {
  makeDirs(dirname(path), dirMode);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode });
  renameSync(temp, path);
}
