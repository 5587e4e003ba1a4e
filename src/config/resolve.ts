import { OPTIONS, type Settings } from '../cli/options.js';
import { loadConfig, type ConfigLayer } from './config-file.js';

/** Settings with where each came from: `flag --timeout`, `env CRONWRAP_TIMEOUT`, `/etc/...toml:12`, `default`. */
export interface Resolved {
  settings: Settings;
  origins: Record<keyof Settings, string>;
  /** Problems in the config file; what they concern was left at its lower-precedence value. */
  configErrors: string[];
}

/** Values given as flags, by settings key: `true` for a flag without a value. */
export type GivenFlags = Partial<Record<keyof Settings, string | true>>;

function longFlag(flags: string | undefined): string {
  return /--[\w-]+/.exec(flags ?? '')?.[0] ?? '';
}

function resolveLayers(given: GivenFlags, env: NodeJS.ProcessEnv, layers: readonly ConfigLayer[]): Omit<Resolved, 'configErrors'> {
  const settings: Record<string, unknown> = {};
  const origins: Record<string, string> = {};
  for (const spec of OPTIONS) {
    const raw = given[spec.key];
    const fromEnv = spec.env ? env[spec.env] : undefined;
    const entry = layers.find((layer) => layer.has(spec.key))?.get(spec.key);
    if (raw === true) [settings[spec.key], origins[spec.key]] = [true, `flag ${longFlag(spec.flags)}`];
    else if (raw !== undefined) [settings[spec.key], origins[spec.key]] = [spec.parse(longFlag(spec.flags), raw), `flag ${longFlag(spec.flags)}`];
    else if (fromEnv !== undefined) [settings[spec.key], origins[spec.key]] = [spec.parse(spec.env!, fromEnv), `env ${spec.env}`];
    else if (entry) [settings[spec.key], origins[spec.key]] = [entry.value, entry.origin];
    else [settings[spec.key], origins[spec.key]] = [spec.defaultValue, 'default'];
  }
  return { settings: settings as unknown as Settings, origins: origins as Record<keyof Settings, string> };
}

/**
 * Precedence: flag > environment > the job's `[jobs.<name>]` section > the file's top level > built-in.
 * `jobOf` names the job once flags and environment are known (it may depend on them). A flag or variable
 * with a bad value is a usage error (thrown); a bad config entry is reported and skipped, so a broken
 * file never stops a job.
 */
export function resolveSettings(given: GivenFlags, env: NodeJS.ProcessEnv, jobOf: (settings: Settings) => string | undefined): Resolved {
  const direct = resolveLayers(given, env, []);
  const config = loadConfig(direct.settings.config, direct.origins.config !== 'default');
  const job = jobOf(direct.settings);
  const jobLayer = job === undefined ? undefined : config.jobs.get(job);
  const layers = jobLayer ? [jobLayer, config.defaults] : [config.defaults];
  return { ...resolveLayers(given, env, layers), configErrors: config.errors };
}
