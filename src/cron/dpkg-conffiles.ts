// Which cron files a Debian package installed and nobody changed since: dpkg keeps each package's
// configuration files with the md5 they were shipped with (the `Conffiles:` of /var/lib/dpkg/status).
// Such a file is the distro's plumbing; one changed since, or no package's, is the admin's.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A conffile line of dpkg's status: ` /etc/cron.daily/dpkg 94bb6c1363245e46256908a5d52ba4fb` (then maybe `obsolete`). */
const CRON_CONFFILE = /^ (\/etc\/(?:crontab|anacrontab|cron\.[^/\s]+\/[^/\s]+)) ([0-9a-f]{32})\b/gm;

/**
 * A test of whether a cron file (`/etc/cron.daily/logrotate`, as the tree names it) is a package's, as
 * shipped. Reads dpkg's status once and each file asked about once; on a host without dpkg, nothing is.
 */
export function shippedAsIs(root: string): (file: string) => boolean {
  let shipped: Map<string, string> | undefined;
  const known = new Map<string, boolean>();
  return (file) => {
    if (shipped === undefined) {
      shipped = new Map();
      try {
        for (const [, path, md5] of readFileSync(join(root, '/var/lib/dpkg/status'), 'utf8').matchAll(CRON_CONFFILE)) shipped.set(path!, md5!);
      } catch {
        // no dpkg here (or its status unreadable): every file is the admin's
      }
    }
    let answer = known.get(file);
    if (answer === undefined) {
      const md5 = shipped.get(file);
      answer = md5 !== undefined && md5 === md5Of(join(root, file));
      known.set(file, answer);
    }
    return answer;
  };
}

/** A copy dpkg (or ucf) leaves beside a conffile it replaced or did not (`e2scrub_all.dpkg-old`): the package system's, never a job (cron passes over its name too). */
export function dpkgLeftover(file: string): boolean {
  return /\.(dpkg-(old|dist|new|tmp|bak|remove)|ucf-(old|dist|new))$/.test(file);
}

/** The md5 of a regular file (opened without blocking: a FIFO in its place is none). */
function md5Of(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    return fstatSync(fd).isFile() ? createHash('md5').update(readFileSync(fd)).digest('hex') : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
