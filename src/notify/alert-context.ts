import { withoutSecrets } from '../config/secrets.js';
import type { Io } from '../io.js';

/**
 * Where a run's or a command's channels are configured (index.ts AlertRequest `where`): its host, the
 * environment without cronwrap's secrets, as a program a channel runs (sendmail) gets it, and its wall clock
 * (io.now), which dates the policy's decisions and the kept alerts. Computed by the caller, so the code that
 * talks to other servers never loads the option table.
 */
export function alertContext(io: Io): { host: string; env: NodeJS.ProcessEnv; now: () => number } {
  return { host: io.host, env: withoutSecrets(io.env), now: io.now };
}
