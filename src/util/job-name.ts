import { basename } from 'node:path';
import { UsageError } from '../errors.js';

declare const checked: unique symbol;

/**
 * A job name that passed `isJobName`: the only kind of name the state's paths are built from, so no text
 * from a crontab, a URL or a file can put `/` or `..` into one.
 */
export type JobName = string & { readonly [checked]: true };

const JOB_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

/** What a job name may be: it becomes part of file names. */
export const JOB_NAME_RULE = "up to 100 letters, digits, '.', '_' or '-', not starting with '.' or '-'";

/** The one check of a job name, whatever its source (`--name`, a crontab line, a URL, a file name). */
export function isJobName(value: unknown): value is JobName {
  return typeof value === 'string' && JOB_NAME.test(value);
}

/** Checks `--name` (or another option's job name), refusing with the rule. */
export function parseJobName(option: string, value: string): JobName {
  if (isJobName(value)) return value;
  throw new UsageError(`${option}: '${value}' cannot be a job name; use ${JOB_NAME_RULE} (e.g. --name mysql-backup)`);
}

/** A program's base name made a job name, safe for file names (`commandJobName` finds which program). */
export function programJobName(program: string): JobName {
  const safe = basename(program).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.-]+/, '').slice(0, 100);
  return parseJobName('the default job name', safe || 'job');
}
