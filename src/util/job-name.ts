import { basename } from 'node:path';
import { UsageError } from '../errors.js';

const JOB_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

/** Checks `--name`: it becomes part of file names, so only letters, digits, `.`, `_` and `-`. */
export function parseJobName(option: string, value: string): string {
  if (!JOB_NAME.test(value)) {
    throw new UsageError(
      `${option}: '${value}' cannot be a job name; use up to 100 letters, digits, '.', '_' or '-', not starting with '.' or '-' (e.g. --name mysql-backup)`,
    );
  }
  return value;
}

/** The default job name: the command's base name, made safe for file names. */
export function defaultJobName(command: string): string {
  const safe = basename(command).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.-]+/, '').slice(0, 100);
  return safe || 'job';
}
