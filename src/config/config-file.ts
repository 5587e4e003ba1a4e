import { closeSync, fstatSync, readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { errorCode } from '../errors.js';
import { configKey, OPTIONS, type AnyOption, type Settings } from './options.js';
import { KeyLines } from './key-lines.js';
import { readableByOthers } from './secrets.js';
import { isRecord } from '../util/check.js';
import { closestWords } from '../util/closest.js';
import { openTrustedFile, UnsafePathError } from '../util/trust.js';

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
  /** Whether there was a file to read (the default one may well be missing). */
  found: boolean;
}

const SPEC_BY_KEY = new Map(OPTIONS.flatMap((spec) => (configKey(spec) ? [[configKey(spec)!, spec] as const] : [])));

/** The valid key closest to a misspelt one, if any is close. */
export function closestKey(key: string): string | undefined {
  return closestWords(key, SPEC_BY_KEY.keys(), 1)[0];
}

const KIND_WORDS = { text: 'a string', flag: 'true or false', count: 'a whole number', threshold: 'a whole number, or "N/M" such as "3/10"', duration: 'a duration such as "90s" or "2h"', list: 'a list of strings', codes: 'a list of exit statuses such as [3, 4]' };

/** Turns a TOML value into the text the row's parser reads, or says what was expected. */
function asText(spec: AnyOption, value: unknown): string | { expected: string } {
  const kind = spec.type.kind;
  const expected = { expected: KIND_WORDS[kind] };
  switch (kind) {
    case 'flag':
      return typeof value === 'boolean' ? String(value) : expected;
    case 'count':
      return Number.isInteger(value) ? String(value) : expected;
    case 'threshold':
      return Number.isInteger(value) || typeof value === 'string' ? String(value) : expected;
    case 'duration':
      return typeof value === 'string' || typeof value === 'number' ? String(value) : expected;
    case 'list':
      if (typeof value === 'string') return value;
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value.join(' ') : expected;
    case 'codes':
      if (Number.isInteger(value) || typeof value === 'string') return String(value);
      return Array.isArray(value) && value.every((v) => Number.isInteger(v)) ? value.join(' ') : expected;
    case 'text':
      return typeof value === 'string' ? value : expected;
  }
}

/** A file's problems: all are counted, the first MAX_REPORTED are described (each costs work: a suggestion). */
class Problems {
  private readonly described: string[] = [];
  private count = 0;

  add(describe: () => string): void {
    if (this.count++ < MAX_REPORTED) this.described.push(describe());
  }

  list(path: string): string[] {
    const more = this.count - this.described.length;
    return more > 0 ? [...this.described, `${path}: and ${more.toLocaleString('en')} more problems`] : [...this.described];
  }
}

/** A file with thousands of mistakes is reported by its first few: cron mails stderr. */
const MAX_REPORTED = 20;

/** Larger than any real config: a file this big is a mistake, and reading it would slow every job. */
const MAX_CONFIG_BYTES = 1024 * 1024;

interface CheckContext {
  path: string;
  lines: KeyLines;
  problems: Problems;
  exposed: boolean;
}

function checkLayer(table: Record<string, unknown>, section: string | undefined, context: CheckContext): ConfigLayer {
  const layer = new ConfigLayer();
  const { problems } = context;
  for (const [key, value] of Object.entries(table)) {
    if (section === undefined && key === 'jobs') continue;
    const where = `${context.path}:${context.lines.lineOf(key, section)}`;
    const spec = SPEC_BY_KEY.get(key);
    if (!spec) {
      problems.add(() => {
        const suggestion = closestKey(key);
        return `${where}: unknown key '${key}'${suggestion ? `; did you mean '${suggestion}'?` : ''}`;
      });
      continue;
    }
    if (spec.secret && context.exposed) {
      problems.add(() => `${where}: ${key}: this file can be read by other users, so the secret in it is not used; chmod o-r ${context.path}, or use ${key}_file`);
      continue;
    }
    const text = asText(spec, value);
    if (typeof text !== 'string') {
      problems.add(() => `${where}: ${key} must be ${text.expected}, not ${JSON.stringify(value)}`);
      continue;
    }
    try {
      layer.set(spec.key, { value: spec.type.parse(key, text), origin: where });
    } catch (error) {
      problems.add(() => `${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return layer;
}

/** The file's text, or why it cannot be had; never more than MAX_CONFIG_BYTES. */
function readConfigText(path: string): { text: string } | { error: string; code: string } {
  // CRONWRAP_CONFIG=/dev/null is the usual way to say "no config file": an empty one, not a refused device.
  if (path === '/dev/null') return { text: '' };
  let fd: number;
  try {
    fd = openTrustedFile(path, 'config');
  } catch (error) {
    // A file another user could have written would give them root: none of it is used (as sudo does).
    if (error instanceof UnsafePathError) return { error: `${path}: not used at all (${error.message})`, code: 'EUNSAFE' };
    return { error: `${path}: cannot read the config file: ${errorCode(error)}`, code: errorCode(error) };
  }
  try {
    if (fstatSync(fd).size > MAX_CONFIG_BYTES) return { error: `${path}: the config file is over 1 MiB; not read`, code: 'EFBIG' };
    return { text: readFileSync(fd, 'utf8') };
  } catch (error) {
    return { error: `${path}: cannot read the config file: ${errorCode(error)}`, code: errorCode(error) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads and checks a config file: top-level defaults and `[jobs.<name>]` sections. Bad keys and values are
 * reported and left out; the rest is usable. A missing file is an error only when `required`.
 */
export function loadConfig(path: string, required: boolean): LoadedConfig {
  const loaded: LoadedConfig = { path, defaults: new ConfigLayer(), jobs: new Map(), errors: [], found: false };
  const source = readConfigText(path);
  if ('error' in source) {
    if (required || source.code !== 'ENOENT') loaded.errors.push(source.error);
    return loaded;
  }
  loaded.found = true;
  let document: Record<string, unknown>;
  try {
    document = parse(source.text);
  } catch (error) {
    // Whatever the parser throws, a broken file is a reported problem, never a crash.
    const where = error instanceof TomlError ? `${path}:${error.line}` : path;
    loaded.errors.push(`${where}: not valid TOML: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
    return loaded;
  }
  const problems = new Problems();
  const context: CheckContext = { path, lines: new KeyLines(source.text), problems, exposed: readableByOthers(path) };
  loaded.defaults = checkLayer(document, undefined, context);
  const jobs = document.jobs;
  if (jobs !== undefined && !isRecord(jobs)) {
    problems.add(() => `${path}:${context.lines.lineOf('jobs', undefined)}: jobs must be sections like [jobs.backup]`);
  } else {
    for (const [job, table] of Object.entries(jobs ?? {})) {
      if (!isRecord(table)) {
        problems.add(() => `${path}: jobs.${job} must be a section like [jobs.${job}]`);
        continue;
      }
      loaded.jobs.set(job, checkLayer(table, `jobs.${job}`, context));
    }
  }
  loaded.errors.push(...problems.list(path));
  return loaded;
}
