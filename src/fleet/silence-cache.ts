import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { errorCode } from '../errors.js';
import { replaceFile } from '../state/atomic-file.js';
import { silenceCachePath } from '../state/paths.js';
import { arrayOf, isNumber, isString, optional, parseJsonObject, shape } from '../util/check.js';
import { checkPrivateDirectory, ownerProblem } from '../util/trust.js';
import { isSilence, type Silence } from './silences.js';

/** Alertmanager's answer as a run keeps it for the runs after it: the silences, or why there were none to have. */
export interface SilenceCache {
  /** Which Alertmanager answered (a hash of its URL: the URL may hold a password). */
  source: string;
  /** When it answered (wall-clock ms). */
  askedAt: number;
  silences: Silence[];
  /** Alertmanager could not be asked: the next runs within the cache's time go on without asking either. */
  error?: string;
}

const isSilenceCache = shape<SilenceCache>({ source: isString, askedAt: isNumber, silences: arrayOf(isSilence), error: optional(isString) });

/** More than any answer kept (fetch refuses answers over 4 MiB): a file this large was not written by a run. */
const MAX_CACHE_BYTES = 8 * 1024 * 1024;

/** The cache's key for an Alertmanager URL: its password never lands in a file. */
export function silenceSource(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 32);
}

function readCacheText(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    // Only a file this user (or root) wrote, that no one else could have changed.
    if (!stats.isFile() || ownerProblem(path, stats) || (stats.mode & 0o022) !== 0 || stats.size > MAX_CACHE_BYTES) return undefined;
    const buffer = Buffer.alloc(stats.size);
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * The answer a run kept, if it is of this Alertmanager (`source`, any when undefined) and was given within
 * `maxAgeMs` before `now`. Anything else (missing, damaged, in a directory others can write to, from another
 * Alertmanager, older, dated in the future) is no answer: the caller asks Alertmanager.
 */
export function readSilenceCache(stateDir: string, source: string | undefined, now: number, maxAgeMs: number): SilenceCache | undefined {
  try {
    checkPrivateDirectory(stateDir);
  } catch {
    return undefined;
  }
  const text = readCacheText(silenceCachePath(stateDir));
  const cache = text === undefined ? undefined : parseJsonObject(text);
  if (!isSilenceCache(cache)) return undefined;
  if (source !== undefined && cache.source !== source) return undefined;
  return cache.askedAt <= now && now - cache.askedAt < maxAgeMs ? cache : undefined;
}

/** Keeps the answer for the next runs (0600, replaced atomically); a cache that cannot be written is a problem in words. */
export function writeSilenceCache(stateDir: string, cache: SilenceCache): string | undefined {
  try {
    checkPrivateDirectory(stateDir);
    replaceFile(silenceCachePath(stateDir), `${JSON.stringify(cache)}\n`, 0o600);
    return undefined;
  } catch (error) {
    return `cannot keep Alertmanager's answer in ${silenceCachePath(stateDir)}: ${errorCode(error)}`;
  }
}
