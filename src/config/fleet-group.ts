import { UsageError } from '../errors.js';
import type { Settings } from './options.js';
import type { FleetExpect } from './value-types.js';

/**
 * `fleet_expect` means nothing without `fleet_group`. Given as a flag, that is the typist's mistake to fix
 * now (a usage error); from the environment or the config file it is reported and dropped, as any bad entry
 * there is, so it never stops a job.
 */
export function loneFleetExpect(settings: Settings, origins: Record<keyof Settings, string>): string | undefined {
  if (settings.fleetExpect === undefined || settings.fleetGroup !== undefined) return undefined;
  const origin = origins.fleetExpect;
  const where = origin.startsWith('flag ') || origin.startsWith('env ') ? origin.replace(/^\S+ /, '') : `${origin}: fleet_expect`;
  const problem = `${where} needs --fleet-group (fleet_group), the group the job belongs to; give both, e.g. --fleet-group web-backup --fleet-expect one`;
  if (origin.startsWith('flag ')) throw new UsageError(problem);
  return problem;
}

/** The job's fleet group and how many hosts run it (`all` unless said), or none: the labels its metrics and alerts carry. */
export function fleetOf(settings: Settings): { group: string; expect: FleetExpect } | undefined {
  return settings.fleetGroup ? { group: settings.fleetGroup, expect: settings.fleetExpect ?? 'all' } : undefined;
}
