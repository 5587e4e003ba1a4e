// The token `cronwrap serve` keeps for itself when none is configured: in the state directory it shows,
// readable by the serving user only, so that only who may read root's state may read root's jobs' output.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode } from '../errors.js';
import { replaceFile } from '../state/atomic-file.js';
import { writeAll } from '../util/fd.js';
import { makeDirs } from '../util/make-dirs.js';
import { ownerProblem, UnsafePathError } from '../util/trust.js';
import { tokenProblem } from './access.js';

export function tokenFilePath(stateDir: string): string {
  return join(stateDir, 'serve-token');
}

/** A token found, no file yet, or a file whose token someone else may know (and why). */
type Found = { token: string } | { missing: true } | { stale: string };

/** A file at the path that cannot be a token file (a link, a directory): said, never removed. */
class NotTokenFile extends Error {}

function readTokenFile(path: string): Found {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return { missing: true };
    throw new NotTokenFile(code === 'ELOOP' ? `${path} is a symbolic link; remove it` : `cannot read ${path}: ${code}`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new NotTokenFile(`${path} is not a regular file; remove it`);
    const owner = ownerProblem(path, stats);
    if (owner) return { stale: owner };
    if ((stats.mode & 0o077) !== 0) return { stale: `${path} could be used by other users (mode ${(stats.mode & 0o777).toString(8)})` };
    const buffer = Buffer.alloc(1024);
    const token = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8').trim();
    return tokenProblem(token) === undefined ? { token } : { stale: `${path} holds no token` };
  } finally {
    closeSync(fd);
  }
}

function newToken(): string {
  return `${randomBytes(24).toString('hex')}\n`;
}

/** Makes the file O_EXCL, 0600: if another server made it meanwhile, theirs stays. */
function createTokenFile(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return;
    throw error;
  }
  try {
    writeAll(fd, Buffer.from(newToken()));
  } finally {
    closeSync(fd);
  }
}

/**
 * The token in `<state>/serve-token`, made on first start (24 random bytes, hex). A file another user
 * owns, or their group or others may use, or that holds no token, is replaced with a new token: the old
 * one may be known (`replaced` says why). A symlink, directory or other non-file is refused. The token is
 * always what the file holds once read back, so servers starting at once agree on one.
 */
export function stateToken(stateDir: string): { token: string; replaced: string | undefined } | { error: string } {
  const path = tokenFilePath(stateDir);
  let replaced: string | undefined;
  try {
    makeDirs(stateDir, 0o700);
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = readTokenFile(path);
      if ('token' in found) return { token: found.token, replaced };
      if ('missing' in found) createTokenFile(path);
      else {
        replaced = found.stale;
        replaceFile(path, newToken(), 0o600);
      }
    }
    return { error: `${path} keeps changing; is another cronwrap serve replacing it?` };
  } catch (error) {
    if (error instanceof NotTokenFile || error instanceof UnsafePathError) return { error: error.message };
    return { error: `cannot make ${path}: ${errorCode(error)}` };
  }
}
