import { readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { errorCode } from '../errors.js';
import { configKey, OPTIONS, type AnyOption, type Settings } from './options.js';
import { readableByOthers } from './secrets.js';

/** A value from the config file, already checked, with where it was written. */
export interface ConfigEntry<T> {
  value: T;
  /** `file:line`, for `config show` and error messages. */
  origin: string;
}

type Entries = { [K in keyof Settings]: ConfigEntry<Settings[K]> };

/** The checked entries of one level of the file (top level or a job's section), each typed by its key. */
export class ConfigLayer {
  private readonly entries: Partial<Entries> = {};

  set<K extends keyof Settings>(key: K, entry: Entries[K]): void {
    this.entries[key] = entry;
  }

  get<K extends keyof Settings>(key: K): ConfigEntry<Settings[K]> | undefined {
    return this.entries[key];
  }

  has(key: keyof Settings): boolean {
    return this.entries[key] !== undefined;
  }
}

export interface LoadedConfig {
  path: string;
  /** Top-level keys: defaults for every job. */
  defaults: ConfigLayer;
  /** `[jobs.<name>]` sections. */
  jobs: Map<string, ConfigLayer>;
  /** Every problem found, each naming the key, the file and line, and the fix. */
  errors: string[];
}

const SPEC_BY_KEY = new Map(OPTIONS.flatMap((spec) => (configKey(spec) ? [[configKey(spec)!, spec] as const] : [])));

/** How many single-character edits turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The valid key closest to a misspelt one, if any is close. */
export function closestKey(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of SPEC_BY_KEY.keys()) {
    const distance = editDistance(key, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** The line of `key` in the section that starts after `sectionLine` (0: top level), 1-based. */
function lineOf(lines: readonly string[], key: string, section: string | undefined): number {
  let inSection = section === undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) {
      inSection = section !== undefined && header[1]!.replace(/\s|"/g, '') === section;
      continue;
    }
    if (inSection && new RegExp(`^"?${key}"?\\s*=`).test(line)) return i + 1;
  }
  return 0;
}

const KIND_WORDS = { text: 'a string', flag: 'true or false', count: 'a whole number', duration: 'a duration such as "90s" or "2h"', list: 'a list of strings' };

/** Turns a TOML value into the text the row's parser reads, or says what was expected. */
function asText(spec: AnyOption, value: unknown): string | { expected: string } {
  const kind = spec.type.kind;
  const expected = { expected: KIND_WORDS[kind] };
  switch (kind) {
    case 'flag':
      return typeof value === 'boolean' ? String(value) : expected;
    case 'count':
      return Number.isInteger(value) ? String(value) : expected;
    case 'duration':
      return typeof value === 'string' || typeof value === 'number' ? String(value) : expected;
    case 'list':
      if (typeof value === 'string') return value;
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value.join(' ') : expected;
    case 'text':
      return typeof value === 'string' ? value : expected;
  }
}

function checkLayer(table: Record<string, unknown>, section: string | undefined, context: { path: string; lines: string[]; errors: string[]; exposed: boolean }): ConfigLayer {
  const layer = new ConfigLayer();
  for (const [key, value] of Object.entries(table)) {
    if (section === undefined && key === 'jobs') continue;
    const line = lineOf(context.lines, key, section);
    const where = `${context.path}:${line}`;
    const spec = SPEC_BY_KEY.get(key);
    if (!spec) {
      const suggestion = closestKey(key);
      context.errors.push(`${where}: unknown key '${key}'${suggestion ? `; did you mean '${suggestion}'?` : ''}`);
      continue;
    }
    if (spec.secret && context.exposed) {
      context.errors.push(`${where}: ${key}: this file can be read by other users, so the secret in it is not used; chmod o-r ${context.path}, or use ${key}_file`);
      continue;
    }
    const text = asText(spec, value);
    if (typeof text !== 'string') {
      context.errors.push(`${where}: ${key} must be ${text.expected}, not ${JSON.stringify(value)}`);
      continue;
    }
    try {
      layer.set(spec.key, { value: spec.type.parse(key, text), origin: where });
    } catch (error) {
      context.errors.push(`${where}: ${(error as Error).message}`);
    }
  }
  return layer;
}

/**
 * Reads and checks a config file: top-level defaults and `[jobs.<name>]` sections. Bad keys and values are
 * reported and left out; the rest is usable. A missing file is an error only when `required`.
 */
export function loadConfig(path: string, required: boolean): LoadedConfig {
  const loaded: LoadedConfig = { path, defaults: new ConfigLayer(), jobs: new Map(), errors: [] };
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    if (required || errorCode(error) !== 'ENOENT') loaded.errors.push(`${path}: cannot read the config file: ${errorCode(error)}`);
    return loaded;
  }
  let document: Record<string, unknown>;
  try {
    document = parse(source) as Record<string, unknown>;
  } catch (error) {
    const where = error instanceof TomlError ? `${path}:${error.line}` : path;
    loaded.errors.push(`${where}: not valid TOML: ${(error as Error).message.split('\n')[0]}`);
    return loaded;
  }
  const context = { path, lines: source.split('\n'), errors: loaded.errors, exposed: readableByOthers(path) };
  loaded.defaults = checkLayer(document, undefined, context);
  const jobs = document.jobs;
  if (jobs !== undefined && (typeof jobs !== 'object' || jobs === null || Array.isArray(jobs))) {
    loaded.errors.push(`${path}:${lineOf(context.lines, 'jobs', undefined)}: jobs must be sections like [jobs.backup]`);
  } else {
    for (const [job, table] of Object.entries((jobs ?? {}) as Record<string, unknown>)) {
      if (typeof table !== 'object' || table === null || Array.isArray(table)) {
        loaded.errors.push(`${path}: jobs.${job} must be a section like [jobs.${job}]`);
        continue;
      }
      loaded.jobs.set(job, checkLayer(table as Record<string, unknown>, `jobs.${job}`, context));
    }
  }
  return loaded;
}
