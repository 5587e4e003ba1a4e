import { readFileSync } from 'node:fs';
import { errorCode } from '../output/fd-writer.js';
import { readableByOthers } from '../config/config-file.js';

/**
 * A secret from its environment variable, else from the file its `_FILE` twin names (trimmed), else
 * undefined. Read when a message is sent, so a kept alert is re-sent with the credentials of the day.
 * Errors name the variable and the file, never the secret.
 */
export function readSecret(value: string | undefined, file: string | undefined, fileVariable: string): string | undefined {
  if (value) return value;
  if (!file) return undefined;
  if (readableByOthers(file)) {
    throw new Error(`${fileVariable}: ${file} can be read by other users, so it is not used; chmod o-r ${file}`);
  }
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new Error(`${fileVariable}: cannot read ${file}: ${errorCode(error)}`);
  }
}
