import { withoutSecrets } from '../config/secrets.js';
import type { Io } from '../io.js';

/**
 * Where a run's or a command's channels are configured (index.ts AlertRequest `where`): its host, and the
 * environment without cronwrap's secrets, as a program a channel runs (sendmail) gets it. Computed by the
 * caller, so the code that talks to other servers never loads the option table.
 */
export function alertContext(io: Io): { host: string; env: NodeJS.ProcessEnv } {
  return { host: io.host, env: withoutSecrets(io.env) };
}
