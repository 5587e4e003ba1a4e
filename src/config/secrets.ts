import { readFileSync, statSync } from 'node:fs';
import { errorCode } from '../errors.js';
import type { Secret } from '../util/secret.js';

/** Whether others than the owner's group can read the file (mode o+r). */
export function readableByOthers(path: string): boolean {
  try {
    return (statSync(path).mode & 0o004) !== 0;
  } catch {
    return false;
  }
}

/**
 * A secret from its environment variable, else from the file its `_FILE` twin names (trimmed), else
 * undefined. Read once per run, so a kept alert is re-sent with the credentials of the day. Errors name
 * the variable and the file, never the secret.
 */
export function readSecret(value: string | undefined, file: string | undefined, fileVariable: string): Secret {
  if (value) return { value };
  if (!file) return { value: undefined };
  if (readableByOthers(file)) return { error: `${fileVariable}: ${file} can be read by other users, so it is not used; chmod o-r ${file}` };
  try {
    return { value: readFileSync(file, 'utf8').trim() };
  } catch (error) {
    return { error: `${fileVariable}: cannot read ${file}: ${errorCode(error)}` };
  }
}
