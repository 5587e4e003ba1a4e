import { closeSync, readSync } from 'node:fs';
import { errorCode } from '../errors.js';
import type { Secret } from './secret.js';
import { openTrustedFile, UnsafePathError } from './trust.js';

/** A secret is a line or a key, never more than this: a file named by mistake is not read whole. */
const MAX_SECRET_BYTES = 64 * 1024;

/**
 * A secret from its environment variable, else from the file its `_FILE` twin names (trimmed), else
 * undefined. Read once per run, so a kept alert is re-sent with the credentials of the day. The file must
 * be owned by root or the running user and of no use to others (util/trust.ts), or it is not read at all.
 * Errors name the variable and the file, never the secret.
 */
export function readSecret(value: string | undefined, file: string | undefined, fileVariable: string): Secret {
  if (value) return { value };
  if (!file) return { value: undefined };
  try {
    const fd = openTrustedFile(file, 'secret');
    try {
      const buffer = Buffer.alloc(MAX_SECRET_BYTES + 1);
      const length = readSync(fd, buffer, 0, buffer.length, 0);
      if (length > MAX_SECRET_BYTES) return { error: `${fileVariable}: ${file} is over 64 KiB, not a secret; not used` };
      return { value: buffer.subarray(0, length).toString('utf8').trim() };
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (error instanceof UnsafePathError) return { error: `${fileVariable}: ${file} is not used (${error.message})` };
    return { error: `${fileVariable}: cannot read ${file}: ${errorCode(error)}` };
  }
}
