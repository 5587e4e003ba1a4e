import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { UsageError } from '../cli/usage-error.js';

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

/** `CRONWRAP_STATE_DIR` (or `--state-dir`), else /var/lib/cronwrap for root, else the XDG state home. */
export function stateDirectory(configured: string | undefined, env: NodeJS.ProcessEnv, uid: number): string {
  if (configured) return configured;
  if (uid === 0) return '/var/lib/cronwrap';
  return join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'cronwrap');
}

/** Where a job logs without `--log`: /var/log/cronwrap for root, else the state directory's `logs/`. */
export function defaultLogPath(job: string, logDir: string | undefined, stateDir: string, uid: number): string {
  const dir = logDir ?? (uid === 0 ? '/var/log/cronwrap' : join(stateDir, 'logs'));
  return join(dir, `${job}.log`);
}
