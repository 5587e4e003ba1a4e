import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { errorCode } from '../errors.js';
import { checkTrustedDirectory } from './trust.js';

/**
 * `mkdir -p`, one component at a time: at most one mkdir per component of the path. Node's recursive
 * mkdirSync loops for ever at 100 % CPU where mkdir answers ENOENT for a parent that exists (under /proc),
 * and no signal can stop a synchronous loop. Nothing is made, and UnsafePathError thrown, when the
 * directories that exist are not trusted (util/trust.ts). Other errors (ENOENT, EACCES, ENOTDIR) as they are.
 */
export function makeDirs(path: string, mode: number): void {
  const missing: string[] = [];
  let dir = resolve(path);
  for (; ; dir = dirname(dir)) {
    try {
      if (!statSync(dir).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR' });
      break;
    } catch (error) {
      if (errorCode(error) !== 'ENOENT' || dir === dirname(dir)) throw error;
      missing.push(dir);
    }
  }
  checkTrustedDirectory(dir);
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir, mode);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      // Made by someone else meanwhile: another run, or, under a sticky /tmp, another user racing to own it.
      checkTrustedDirectory(dir);
    }
  }
}

/** makeDirs, for a caller that learns of a failure later, from the files it then cannot write. */
export function tryMakeDirs(path: string, mode: number): void {
  try {
    makeDirs(path, mode);
  } catch {
    // said by whoever needs the directory
  }
}
