import { configKey, OPTIONS, valueKind, type OptionSpec, type Settings } from '../cli/options.js';
import type { Resolved } from '../config/resolve.js';
import { writeAll } from '../output/fd-writer.js';

/** Exit status for an invalid config file: sysexits' EX_CONFIG, which Chef's `verify` takes as a refusal. */
export const EX_CONFIG = 78;

/** `cronwrap config check`: every problem on its own line; 0 when there is none, else 78. */
export function runConfigCheck(resolved: Resolved): number {
  if (resolved.configErrors.length === 0) {
    writeAll(1, Buffer.from(`${resolved.settings.config}: ok\n`));
    return 0;
  }
  writeAll(2, Buffer.from(resolved.configErrors.map((e) => `cronwrap: ${e}\n`).join('')));
  return EX_CONFIG;
}

/** A duration in the largest unit that states it exactly, as it would be written in the file. */
function durationText(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

function shown(spec: OptionSpec, value: unknown): string {
  if (value === undefined) return '(not set)';
  if (valueKind(spec) === 'duration' && typeof value === 'number') return JSON.stringify(durationText(value));
  return JSON.stringify(value);
}

/** `cronwrap config show`: `key = value  # origin` for every setting, secrets redacted. */
export function runConfigShow(resolved: Resolved, job: string | undefined): number {
  const lines = [`# effective settings${job ? ` for job ${job}` : ''}; config file ${resolved.settings.config}`];
  for (const spec of OPTIONS) {
    const key = configKey(spec) ?? spec.key;
    const value = resolved.settings[spec.key as keyof Settings];
    const text = spec.secret ? (value ? '(set, hidden)' : '(not set)') : shown(spec, value);
    lines.push(`${key} = ${text}  # ${resolved.origins[spec.key]}`);
  }
  for (const error of resolved.configErrors) lines.push(`# problem: ${error}`);
  writeAll(1, Buffer.from(`${lines.join('\n')}\n`));
  return resolved.configErrors.length === 0 ? 0 : EX_CONFIG;
}
