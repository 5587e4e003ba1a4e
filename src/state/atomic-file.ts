import { closeSync, constants, fchmodSync, fchownSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeAll } from '../util/fd.js';
import { makeDirs } from '../util/make-dirs.js';
import { newRunId } from '../util/run-id.js';

/**
 * Replaces a file atomically (a temp file beside it, then rename): a reader sees the old or the new, whole.
 * The temp file has a random name and is created O_EXCL|O_NOFOLLOW (mkstemp's way, and like mkstemp without
 * a cryptographic source: node:crypto would cost every start ~3 ms): nothing planted at a name, a symlink
 * least of all, can make root write elsewhere. The directory must be trusted, so no one else can plant anyway.
 */
export function replaceFile(path: string, content: string, mode: number, dirMode = 0o700, owner?: { uid: number; gid: number }): void {
  makeDirs(dirname(path), dirMode);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${newRunId()}.tmp`);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    try {
      // The umask may have taken bits from `mode`; a file replaced for someone else keeps its owner.
      fchmodSync(fd, mode);
      if (owner) fchownSync(fd, owner.uid, owner.gid);
      writeAll(fd, Buffer.from(content));
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // gone already
    }
    throw error;
  }
}
