import { configKey, OPTIONS, type AnyOption } from '../config/options.js';
import type { Resolved } from '../config/resolve.js';
import { isAlertThreshold } from '../config/value-types.js';
import { EX_CONFIG } from '../errors.js';
import type { Io } from '../io.js';
import { print } from '../output/console.js';
import { redactUrl } from '../util/format.js';
import { urlSecretNotes } from './url-secret-notes.js';
import { subcommand, subcommandGroup } from './subcommand.js';

/** `cronwrap config check`: every problem on its own line; 0 when there is none, else 78. */
export function runConfigCheck(resolved: Resolved, io: Io): number {
  if (resolved.configErrors.length === 0) {
    print(io.stdout, `${resolved.settings.config}: ${resolved.configFound ? 'ok' : 'not found; the built-in defaults apply'}\n`);
    print(io.stdout, urlSecretNotes(resolved).map((note) => `note: ${note}\n`).join(''));
    return 0;
  }
  print(io.stderr, resolved.configErrors.map((e) => `cronwrap: ${e}\n`).join(''));
  return EX_CONFIG;
}

/** A duration in the largest unit that states it exactly, as it would be written in the file. */
function durationText(ms: number): string {
  if (ms === 0) return '0s';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** A value as the config file writes it. */
export function tomlValue(spec: AnyOption, value: unknown): string {
  if (spec.type.kind === 'duration' && typeof value === 'number') return JSON.stringify(durationText(value));
  if (spec.type.kind === 'threshold' && isAlertThreshold(value)) {
    const { failures, window } = value;
    return window === undefined ? String(failures) : JSON.stringify(`${failures}/${window}`);
  }
  return JSON.stringify(value);
}

function shown(spec: AnyOption, value: unknown): string {
  if (value === undefined) return '(not set)';
  if (spec.type.url) return JSON.stringify(Array.isArray(value) ? value.map((url: string) => redactUrl(url)) : redactUrl(String(value)));
  return tomlValue(spec, value);
}

/** `cronwrap config show`: `key = value  # origin` for every setting, secrets hidden and URLs shown as `https://host/…`. */
export function runConfigShow(resolved: Resolved, job: string | undefined, io: Io): number {
  const lines = [`# effective settings${job ? ` for job ${job}` : ''}; config file ${resolved.settings.config}`];
  for (const spec of OPTIONS) {
    const key = configKey(spec) ?? spec.key;
    const value = resolved.settings[spec.key];
    const text = spec.secret ? (value ? '(set, hidden)' : '(not set)') : shown(spec, value);
    lines.push(`${key} = ${text}  # ${resolved.origins[spec.key]}`);
  }
  for (const error of resolved.configErrors) lines.push(`# problem: ${error}`);
  print(io.stdout, `${lines.join('\n')}\n`);
  return resolved.configErrors.length === 0 ? 0 : EX_CONFIG;
}

export const configCheck = subcommand({
  name: 'config check',
  summary: { synopsis: 'config check [--config FILE]', text: 'check a config file (exit 78 when invalid)' },
  description: 'Check a config file: exit 0 when it is valid, 78 (EX_CONFIG) with every problem named when it is not.',
  settings: ['config'],
  readsState: false,
  ownsConfigProblems: true,
  values: () => ({}),
  run: (_call, { resolved, io }) => runConfigCheck(resolved, io),
});

export const configShow = subcommand({
  name: 'config show',
  summary: { synopsis: 'config show [--name JOB]', text: "a job's effective settings and where each came from" },
  description: "Print a job's effective settings, where each came from (flag, env, file:line, default), secrets redacted.",
  settings: ['config', 'name'],
  readsState: false,
  ownsConfigProblems: true,
  values: () => ({}),
  run: (call, { resolved, io }) => runConfigShow(resolved, call.job, io),
});

/** `cronwrap config check|show`. */
export const config = subcommandGroup('config', [configCheck, configShow]);
