import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { errorCode } from '../errors.js';
import type { Check } from '../util/check.js';
import type { JobName } from '../util/job-name.js';
import { checkPrivateDirectory } from '../util/trust.js';
import { replaceFile } from './atomic-file.js';
import { moveAside } from './damaged.js';
import { jobFile, jobsWithFile } from './paths.js';

const STATE_KINDS = ['alerts', 'metrics', 'pauses', 'heals'] as const;

/** What a job's small state file is for: `<state>/<kind>/<job>.json`. */
export type StateKind = (typeof STATE_KINDS)[number];

/** The jobs with a state file of any kind: alerts told, metrics, a pause, heals. */
export function stateFileJobs(stateDir: string): JobName[] {
  return STATE_KINDS.flatMap((kind) => jobsWithFile(join(stateDir, kind), '.json'));
}

export function jobStatePath(stateDir: string, kind: StateKind, job: JobName): string {
  return jobFile(join(stateDir, kind), job, '.json');
}

/** The jobs with a state file of `kind`, from one listing (none when it cannot be listed: nor could a file in it be read). */
export function jobsWithState(stateDir: string, kind: StateKind): Set<string> {
  try {
    return new Set(readdirSync(join(stateDir, kind)).flatMap((name) => (name.endsWith('.json') ? [name.slice(0, -'.json'.length)] : [])));
  } catch {
    return new Set();
  }
}

/** A state as read: the file's, or `fallback` with the reason when the file could not be used. */
export interface ReadState<T> {
  state: T;
  problem?: string;
}

/**
 * A job's JSON state, merged over `fallback` (a file from an older version may lack newer fields) and
 * checked. Missing: the fallback. In a directory that is not trusted (util/trust.ts): not read. Unreadable (EACCES, EISDIR): the fallback, and the reason, for this is not
 * a fresh start. Damaged (not JSON, wrong shape): moved aside (named with `now`, wall-clock ms), the fallback, and the reason.
 */
export function readJobState<T extends object>(stateDir: string, kind: StateKind, job: JobName, fallback: T, check: Check<T>, now: number): ReadState<T> {
  const path = jobStatePath(stateDir, kind, job);
  let text: string;
  try {
    checkPrivateDirectory(dirname(path));
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { state: { ...fallback } };
    return { state: { ...fallback }, problem: `cannot read ${path}: ${errorCode(error)}; going on as if it were empty` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { state: { ...fallback }, problem: moveAside(path, 'not JSON', now) };
  }
  const merged: unknown = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? { ...fallback, ...parsed } : parsed;
  if (!check(merged)) return { state: { ...fallback }, problem: moveAside(path, 'not the expected fields', now) };
  return { state: merged };
}

/** Replaces a job's state file atomically, 0600 in a 0700 directory. */
export function writeJobState(stateDir: string, kind: StateKind, job: JobName, state: object): void {
  replaceFile(jobStatePath(stateDir, kind, job), `${JSON.stringify(state)}\n`, 0o600);
}
