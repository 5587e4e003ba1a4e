// What cronwrap, often root, may act on: files and directories that only root or the running user could
// have made or changed (the rules sudo applies to its config and logrotate to the directories it works in).
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { errorCode } from '../errors.js';

/** A path cronwrap refuses to act on; the message says which file or directory and why. */
export class UnsafePathError extends Error {
  override name = 'UnsafePathError';
  constructor(problem: string) {
    super(`not safe: ${problem}`);
  }
}

const MAX_SYMLINKS = 40; // as Linux's ELOOP limit

function runningUid(): number {
  return process.geteuid?.() ?? -1;
}

/** `nobody (uid 65534)`, or `uid 1234` when /etc/passwd does not name it. */
export function describeUid(uid: number): string {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((entry) => entry.split(':')[2] === String(uid));
    const name = line?.split(':')[0];
    return name ? `${name} (uid ${uid})` : `uid ${uid}`;
  } catch {
    return `uid ${uid}`;
  }
}

/** Root and the running user are the only owners trusted: anyone else could change what root then uses. */
export function ownerProblem(path: string, stats: Stats): string | undefined {
  return stats.uid === 0 || stats.uid === runningUid() ? undefined : `${path} is owned by ${describeUid(stats.uid)}`;
}

/**
 * A directory is trusted when root or the running user owns it and other users cannot write to it, or
 * only with the sticky bit (as /tmp), where they cannot rename or remove what is not theirs.
 */
function directoryProblem(path: string, stats: Stats): string | undefined {
  if (!stats.isDirectory()) return `${path} is not a directory`;
  const owner = ownerProblem(path, stats);
  if (owner) return owner;
  if ((stats.mode & 0o002) !== 0 && (stats.mode & 0o1000) === 0) return `${path} is writable by every user (and has no sticky bit)`;
  return undefined;
}

/** Where a walk ended: the path with symlinks resolved, and what is there (undefined: nothing yet). */
export interface Walked {
  path: string;
  stats: Stats | undefined;
}

/**
 * Walks `path` from / as the kernel resolves it, with lstat, following symbolic links, and checks every
 * directory on the way: a symlink is followed only when root or the running user owns it and it sits in a
 * trusted directory, so nobody else could have planted it or can swap it. The last component is returned unchecked (the caller knows what it must
 * be); a walk that meets a missing component ends there. Throws UnsafePathError, or the lstat error.
 */
export function walkTrusted(path: string): Walked {
  const pending = resolve(path).split('/');
  let current = '/';
  let links = 0;
  const rootProblem = directoryProblem('/', lstatSync('/'));
  if (rootProblem) throw new UnsafePathError(rootProblem);
  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '' || name === '.') continue;
    if (name === '..') {
      current = dirname(current);
      continue;
    }
    const next = join(current, name);
    let stats: Stats;
    try {
      stats = lstatSync(next);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { path: join(next, ...pending), stats: undefined };
      throw error;
    }
    if (stats.isSymbolicLink()) {
      // In a sticky directory (/tmp) anyone may plant a link: follow only root's or our own (as protected_symlinks).
      const owner = ownerProblem(next, stats);
      if (owner) throw new UnsafePathError(`the symbolic link ${owner}`);
      if (++links > MAX_SYMLINKS) throw new UnsafePathError(`${path}: too many symbolic links`);
      const target = readlinkSync(next);
      if (target.startsWith('/')) current = '/';
      pending.unshift(...target.split('/'));
      continue;
    }
    if (pending.every((rest) => rest === '' || rest === '.')) return { path: next, stats };
    const problem = directoryProblem(next, stats);
    if (problem) throw new UnsafePathError(problem);
    current = next;
  }
  return { path: current, stats: lstatSync(current) };
}

/** Throws UnsafePathError unless `dir` and every directory above it are trusted; a missing one is fine. */
export function checkTrustedDirectory(dir: string): void {
  const { path, stats } = walkTrusted(dir);
  const problem = stats && directoryProblem(path, stats);
  if (problem) throw new UnsafePathError(problem);
}

/**
 * Throws UnsafePathError unless `dir` is trusted (checkTrustedDirectory) and no other user can add a file to
 * it, sticky bit or not: a state directory, whose files cronwrap reads back as its own (a pause, a kept alert).
 */
export function checkPrivateDirectory(dir: string): void {
  const { path, stats } = walkTrusted(dir);
  if (!stats) return;
  const problem = directoryProblem(path, stats) ?? writableBy(path, stats);
  if (problem) throw new UnsafePathError(problem);
}

/** Whether users other than the owner may write to `path`, and how to stop them. */
function writableBy(path: string, stats: Stats): string | undefined {
  if ((stats.mode & 0o022) === 0) return undefined;
  return `${path} can be written by ${(stats.mode & 0o002) !== 0 ? 'every user' : 'its group'}; chmod go-w ${path}`;
}

/**
 * What a file must be to be used: `config` and `program` (a sendmail root runs) writable by no one but its
 * owner, as sudo wants of sudoers; `secret` (a password or key file) of no use to other users at all.
 * Each must be a regular file owned by root or the running user.
 */
export type FileRule = 'config' | 'secret' | 'program';

function fileProblem(path: string, stats: Stats, rule: FileRule): string | undefined {
  if (!stats.isFile()) return `${path} is not a regular file`;
  const owner = ownerProblem(path, stats);
  if (owner) return owner;
  if (rule === 'secret') {
    return (stats.mode & 0o007) === 0 ? undefined : `${path} can be used by other users; chmod o-rwx ${path}`;
  }
  return writableBy(path, stats);
}

/** Throws UnsafePathError unless the file at `path` (and every directory above it) may be used by `rule`; returns where it really is. */
export function checkTrustedFile(path: string, rule: FileRule): string {
  const walked = walkTrusted(path);
  if (!walked.stats) throw Object.assign(new Error(`ENOENT: no such file, '${path}'`), { code: 'ENOENT' });
  const problem = fileProblem(walked.path, walked.stats, rule);
  if (problem) throw new UnsafePathError(problem);
  return walked.path;
}

/**
 * Opens a file for reading once checkTrustedFile passed, without following a symlink or blocking on a
 * FIFO, and checks what is open by the same rule (the path could name another file by then). Returns the
 * descriptor; the caller closes it.
 */
export function openTrustedFile(path: string, rule: FileRule): number {
  const real = checkTrustedFile(path, rule);
  const fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  const problem = fileProblem(real, fstatSync(fd), rule);
  if (problem) {
    closeSync(fd);
    throw new UnsafePathError(problem);
  }
  return fd;
}
