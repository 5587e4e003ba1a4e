import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceFile } from './atomic-file.js';

/** What a job's small state file is for: `<state>/<kind>/<job>.json`. */
export type StateKind = 'alerts' | 'metrics';

function statePath(stateDir: string, kind: StateKind, job: string): string {
  return join(stateDir, kind, `${job}.json`);
}

/** A job's JSON state merged over `fallback`; the fallback when it is missing or unreadable. */
export function readJobState<T extends object>(stateDir: string, kind: StateKind, job: string, fallback: T): T {
  try {
    return { ...fallback, ...(JSON.parse(readFileSync(statePath(stateDir, kind, job), 'utf8')) as Partial<T>) };
  } catch {
    return { ...fallback };
  }
}

/** Replaces a job's state file atomically, 0600 in a 0700 directory. */
export function writeJobState(stateDir: string, kind: StateKind, job: string, state: object): void {
  replaceFile(statePath(stateDir, kind, job), `${JSON.stringify(state)}\n`, 0o600);
}
