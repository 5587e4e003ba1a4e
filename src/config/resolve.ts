import { UsageError } from '../errors.js';
import { loadConfig, type ConfigLayer } from './config-file.js';
import { loneFleetExpect } from './fleet-group.js';
import { isComplete, OPTIONS, type OptionSpec, type Settings } from './options.js';

/** Settings with where each came from: `flag --timeout`, `env CRONWRAP_TIMEOUT`, `/etc/...toml:12`, `default`. */
export interface Resolved {
  settings: Settings;
  origins: Record<keyof Settings, string>;
  /** Problems in the environment and the config file; what they concern was left at its lower-precedence value. */
  configErrors: string[];
  /** Whether the config file was there to read. */
  configFound: boolean;
  /** The jobs the config file has a `[jobs.NAME]` section for. */
  configJobs: string[];
}

/** Values given as flags, by settings key: `true` for a flag without a value. */
/** Flags as given: a value, or true for a flag (false for a `--no-…` one). */
export type GivenFlags = Partial<Record<keyof Settings, string | boolean>>;

function longFlag(flags: string | undefined): string {
  return /--[\w-]+/.exec(flags ?? '')?.[0] ?? '';
}

/**
 * One setting's value and origin, by precedence. A bad flag throws a UsageError (the person typing it is
 * there to fix it); a bad variable is reported in `problems` and skipped, as a bad config entry is, so a
 * stray CRONWRAP_* in a crontab never stops the jobs below it.
 */
function resolveOne<K extends keyof Settings>(
  spec: OptionSpec<K>,
  given: GivenFlags,
  env: NodeJS.ProcessEnv,
  layers: readonly ConfigLayer[],
  problems: string[],
): { value: Settings[K]; origin: string } {
  const raw = given[spec.key];
  const flag = `flag ${longFlag(spec.flags)}`;
  if (typeof raw === 'boolean') return { value: spec.type.parse(longFlag(spec.flags), String(raw)), origin: flag };
  if (raw !== undefined) return { value: spec.type.parse(longFlag(spec.flags), raw), origin: flag };
  const fromEnv = spec.env ? env[spec.env] : undefined;
  if (spec.env && fromEnv !== undefined) {
    try {
      return { value: spec.type.parse(spec.env, fromEnv), origin: `env ${spec.env}` };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      problems.push(error.message);
    }
  }
  const entry = layers.find((layer) => layer.has(spec.key))?.get(spec.key);
  if (entry) return { value: entry.value, origin: entry.origin };
  return { value: spec.defaultValue, origin: 'default' };
}

function set<K extends keyof Settings>(target: Partial<Settings>, key: K, value: Settings[K]): void {
  target[key] = value;
}

function resolveLayers(given: GivenFlags, env: NodeJS.ProcessEnv, layers: readonly ConfigLayer[], problems: string[]): Omit<Resolved, 'configErrors' | 'configFound' | 'configJobs'> {
  const settings: Partial<Settings> = {};
  const origins: Partial<Record<keyof Settings, string>> = {};
  for (const spec of OPTIONS) {
    const { value, origin } = resolveOne(spec, given, env, layers, problems);
    set(settings, spec.key, value);
    origins[spec.key] = origin;
  }
  if (!isComplete<Settings>(settings) || !isComplete<Record<keyof Settings, string>>(origins)) throw new Error('the option table misses a setting');
  return { settings, origins };
}

/**
 * Precedence: flag > environment > the job's `[jobs.<name>]` section > the file's top level > built-in.
 * A flag with a bad value is a usage error (thrown); a bad variable or config entry is reported and
 * skipped, so neither ever stops a job. Reads the config file: called once, from main.
 */
export function resolveSettings(given: GivenFlags, env: NodeJS.ProcessEnv, job: string | undefined): Resolved {
  const direct = resolveLayers(given, env, [], []);
  const config = loadConfig(direct.settings.config, direct.origins.config !== 'default');
  const jobLayer = job === undefined ? undefined : config.jobs.get(job);
  const layers = jobLayer ? [jobLayer, config.defaults] : [config.defaults];
  const envProblems: string[] = [];
  const resolved = resolveLayers(given, env, layers, envProblems);
  const lone = loneFleetExpect(resolved.settings, resolved.origins);
  if (lone) {
    envProblems.push(lone);
    resolved.settings.fleetExpect = undefined;
    resolved.origins.fleetExpect = 'default';
  }
  return { ...resolved, configErrors: [...envProblems, ...config.errors], configFound: config.found, configJobs: [...config.jobs.keys()] };
}
