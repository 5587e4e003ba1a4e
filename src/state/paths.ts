import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isJobName, parseJobName, type JobName } from '../util/job-name.js';
import { checkPrivateDirectory } from '../util/trust.js';

/** `CRONWRAP_STATE_DIR` (or `--state-dir`), else /var/lib/cronwrap for root, else the XDG state home. */
export function stateDirectory(configured: string | undefined, env: NodeJS.ProcessEnv, uid: number): string {
  if (configured) return configured;
  if (uid === 0) return '/var/lib/cronwrap';
  return join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'cronwrap');
}

/** A job's file in `dir` (`<dir>/<job><extension>`): the one way a job name becomes part of a path. */
export function jobFile(dir: string, job: JobName, extension: string): string {
  return join(dir, `${job}${extension}`);
}

/** The jobs that have a file in `dir` (`<job><extension>`), sorted; none from a missing or untrusted directory. */
export function jobsWithFile(dir: string, extension: string): JobName[] {
  try {
    checkPrivateDirectory(dir);
    return readdirSync(dir)
      .filter((name) => name.endsWith(extension))
      .map((name) => name.slice(0, -extension.length))
      .filter(isJobName)
      .sort();
  } catch {
    return [];
  }
}

/** Where runs keep Alertmanager's last answer about silences (fleet/silence-cache.ts), for the next runs and `check`. */
export function silenceCachePath(stateDir: string): string {
  return join(stateDir, 'alertmanager-silences.json');
}

/**
 * Where a job logs without `--log`: /var/log/cronwrap for root, else the state directory's `logs/`.
 * The name is checked here as well: the live view's caller hands it over as text.
 */
export function defaultLogPath(job: string, logDir: string | undefined, stateDir: string, uid: number): string {
  const dir = logDir ?? (uid === 0 ? '/var/log/cronwrap' : join(stateDir, 'logs'));
  return jobFile(dir, parseJobName('job', job), '.log');
}
