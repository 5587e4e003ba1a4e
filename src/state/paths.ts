import { homedir } from 'node:os';
import { join } from 'node:path';

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
