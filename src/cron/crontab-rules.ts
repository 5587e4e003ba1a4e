// One crontab file, opened as Debian's cron opens it (cron(8)): /etc/crontab and the files of /etc/cron.d
// must be owned by root and not writable by group or others, and may be symlinks only when both the link
// and the file it points to are root's; a user's crontab in the spool is never a link. cron passes over a
// file that breaks a rule, whole.
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { errorCode } from '../errors.js';
import { describeUid } from '../util/trust.js';

/** A crontab's text, and why cron passes over the whole file when it does. */
export interface CrontabAsCronReads {
  text: string;
  passedOver: string | undefined;
}

/** Why cron passes over a system crontab with these stats (the link's own, then the file's), or undefined. */
function systemFileProblem(link: Stats, file: Stats): string | undefined {
  if (link.isSymbolicLink() && link.uid !== 0) return `a symlink owned by ${describeUid(link.uid)}, not root`;
  if (file.uid !== 0) return `${link.isSymbolicLink() ? 'it points to a file' : 'it is'} owned by ${describeUid(file.uid)}, not root`;
  if ((file.mode & 0o022) !== 0) return `its group or others may write it (mode ${(file.mode & 0o7777).toString(8).padStart(4, '0')})`;
  return undefined;
}

/**
 * Reads a crontab; `system` for /etc/crontab and /etc/cron.d (the rules above). Throws what the system
 * calls throw (ENOENT, EACCES). Opened without blocking and read only when it is a regular file: a FIFO or a
 * device planted in the tree neither hangs nor floods the reader.
 */
export function readAsCron(path: string, system: boolean): CrontabAsCronReads {
  const link = lstatSync(path);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    // cron says "CAN'T OPEN SYMLINK" and goes on without it.
    if (link.isSymbolicLink() && errorCode(error) === 'ENOENT') return { text: '', passedOver: `a symlink to ${readlinkSync(path)}, which does not exist` };
    throw error;
  }
  try {
    const file = fstatSync(fd);
    if (!file.isFile()) return { text: '', passedOver: 'not a regular file' };
    const passedOver = system ? systemFileProblem(link, file) : link.isSymbolicLink() ? 'a symlink: cron reads no link in its spool' : undefined;
    return { text: readFileSync(fd, 'utf8'), passedOver };
  } finally {
    closeSync(fd);
  }
}
