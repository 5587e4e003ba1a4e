// A crontab file as `cronwrap jobs --wrap --apply` may rewrite it: root writes lines that run as root, so
// it reads and replaces only a file no one else could have made, linked or changed.
import { closeSync, constants, fstatSync, openSync, readFileSync, realpathSync, type Stats } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { checkTrustedDirectory, checkTrustedFile, openTrustedFile, UnsafePathError } from '../util/trust.js';
import { errorCode } from '../errors.js';

/** A crontab read for a rewrite: where it really is (a link followed), what it holds, its owner and mode. */
export interface CrontabFile {
  path: string;
  text: string;
  stats: Stats;
}

/** Why a system crontab must be root's: its lines name the user they run as, root too. */
const SYSTEM_RULE = "a system crontab's lines may run as root: it is rewritten only when root owns it and any link to it, and no one else may write it or its directories";

/**
 * A system crontab (`/etc/crontab`, `/etc/cron.d/*`): as cron wants it (owned by root, written by no one
 * else), reached through no link and no directory another user controls. A link root made to such a file
 * is kept: the file it leads to is the one rewritten (inside `root`, when that is not `/`).
 */
function openSystemCrontab(root: string, path: string): { fd: number; path: string } {
  try {
    const real = checkTrustedFile(path, 'config');
    const within = relative(realpathSync(root), real);
    if (within === '..' || within.startsWith(`..${sep}`)) throw new UnsafePathError(`${path} leads to ${real}, outside ${root}`);
    return { fd: openTrustedFile(real, 'config'), path: real };
  } catch (error) {
    if (error instanceof UnsafePathError) throw new UnsafePathError(`${error.message.replace(/^not safe: /, '')}; ${SYSTEM_RULE}`);
    throw error;
  }
}

/** A user's crontab: a regular file in a trusted directory, never a link (cron reads none in its spool). */
function openUserCrontab(path: string): { fd: number; path: string } {
  checkTrustedDirectory(dirname(path));
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if (errorCode(error) === 'ELOOP') throw new UnsafePathError(`${path} is a symbolic link: cron reads no link in its spool`);
    throw error;
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new UnsafePathError(`${path} is not a regular file`);
  }
  return { fd, path };
}

/**
 * Reads the crontab `file` (as `cronwrap jobs` names it) under `root` for a rewrite: a user's
 * (`perUser`) or a system crontab, each by its rule above. Throws UnsafePathError saying why not.
 */
export function readCrontabFile(root: string, file: string, perUser: boolean): CrontabFile {
  const given = join(root, file);
  const { fd, path } = perUser ? openUserCrontab(given) : openSystemCrontab(root, given);
  try {
    return { path, text: readFileSync(fd, 'utf8'), stats: fstatSync(fd) };
  } finally {
    closeSync(fd);
  }
}
