import { parseArgs } from '../../src/cli/parse-args.js';
import { resolveSettings } from '../../src/config/resolve.js';

/**
 * What main does with argv before running anything: parse, then resolve the settings. The config file is
 * /dev/null (empty) unless `env` names one, so the host's /etc/cronwrap/cronwrap.toml never changes a result.
 */
export function invocationOf(argv: readonly string[], env: NodeJS.ProcessEnv = {}, stdinIsTTY = false) {
  const invocation = parseArgs(argv, stdinIsTTY);
  if (invocation.mode === 'print') return invocation;
  return { ...invocation, ...resolveSettings(invocation.flags, { CRONWRAP_CONFIG: '/dev/null', ...env }, invocation.job) };
}
