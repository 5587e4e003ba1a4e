import { statSync } from 'node:fs';
import { SECRET_VARIABLES } from './options.js';

/**
 * The environment of what cronwrap starts (the job, a heal, sendmail): cronwrap's own secrets (SMTP
 * password, routing key, URLs that may hold a token) are none of their business.
 */
export function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = { ...env };
  for (const variable of SECRET_VARIABLES) delete clean[variable];
  return clean;
}

/** Whether others than the owner's group can read the file (mode o+r). */
export function readableByOthers(path: string): boolean {
  try {
    return (statSync(path).mode & 0o004) !== 0;
  } catch {
    return false;
  }
}
