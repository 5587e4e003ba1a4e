// systemd timers, read from their unit files as systemd finds them (/etc first, then /run, /lib, /usr/lib),
// so `cronwrap jobs` sees them under --root as well as on the host.
import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode } from '../errors.js';

/** One timer and the service it starts. */
export interface SystemdTimer {
  /** The timer's unit name: `backup.timer`, or an instance of a template, `pg_dump@main.timer`. */
  unit: string;
  /** The timer's unit file, e.g. /etc/systemd/system/backup.timer (a template's for an instance: pg_dump@.timer). */
  file: string;
  /** `OnCalendar=` values, as written, and the monotonic ones (`OnBootSec=5min`). */
  schedules: string[];
  /** The service's first ExecStart, without systemd's `-@+!:` prefixes; undefined when the service is not found. */
  command: string | undefined;
  user: string;
  /** Enabled: linked from a unit's .wants/ or .requires/ (the admin's in /etc, or the vendor's in /lib), or named by a unit's Wants=/Requires=. */
  enabled: boolean;
  /** Masked (its unit file is a link to /dev/null): it never starts, whatever pulls it in. */
  masked: boolean;
  /** Shipped by a package: its unit file is under /lib or /usr/lib, the vendor's directories. */
  vendor: boolean;
}

const UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];
const VENDOR_DIRS = ['/lib/systemd/system', '/usr/lib/systemd/system'];
const MONOTONIC = ['OnActiveSec', 'OnBootSec', 'OnStartupSec', 'OnUnitActiveSec', 'OnUnitInactiveSec'];

/** `Key=value` lines of one section of a unit file. */
function section(text: string, name: string): [string, string][] {
  let inside = false;
  const pairs: [string, string][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) inside = line === `[${name}]`;
    else if (inside && !line.startsWith('#') && !line.startsWith(';') && line.includes('=')) pairs.push([line.slice(0, line.indexOf('=')).trim(), line.slice(line.indexOf('=') + 1).trim()]);
  }
  return pairs;
}

/** A unit name's parts: `pg_dump@main.timer` is the instance `main` of the template `pg_dump@.timer`. */
function unitParts(unit: string): { prefix: string; instance: string | undefined; suffix: string } {
  const dot = unit.lastIndexOf('.');
  const [stem, suffix] = [unit.slice(0, dot), unit.slice(dot)];
  const at = stem.indexOf('@');
  return at === -1 ? { prefix: stem, instance: undefined, suffix } : { prefix: stem.slice(0, at), instance: stem.slice(at + 1), suffix };
}

/** The template an instance is made from (`pg_dump@.timer`), or undefined for a unit that is none. */
function templateOf(unit: string): string | undefined {
  const { prefix, instance, suffix } = unitParts(unit);
  return instance ? `${prefix}@${suffix}` : undefined;
}

/** The specifiers a timer or service line may carry for its instance (systemd.unit(5)): %i, %I, %n, %N, %p, %%. */
function expandSpecifiers(text: string, unit: string): string {
  const { prefix, instance = '', suffix } = unitParts(unit);
  const unescaped = instance.replace(/-/g, '/').replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const values: Record<string, string> = { i: instance, I: unescaped, n: unit, N: unit.slice(0, -suffix.length), p: prefix, '%': '%' };
  return text.replace(/%([iInNp%])/g, (whole, letter: string) => values[letter] ?? whole);
}

/**
 * The unit file of `unit` that systemd would use (the first directory that has it, else its template's),
 * and whether a link to /dev/null masks it (the file found is then the one it masks, if any).
 */
function findUnit(root: string, unit: string): { file: string; text: string; masked: boolean } | undefined {
  let masked: string | undefined;
  for (const name of [unit, templateOf(unit)]) {
    if (name === undefined) continue;
    for (const dir of UNIT_DIRS) {
      const path = join(root, dir, name);
      try {
        if (lstatSync(path).isSymbolicLink() && readlinkSync(path) === '/dev/null') {
          masked ??= join(dir, name);
          continue;
        }
        return { file: join(dir, name), text: readFileSync(path, 'utf8'), masked: masked !== undefined };
      } catch {
        // not in this directory
      }
    }
  }
  return masked === undefined ? undefined : { file: masked, text: '', masked: true };
}

/** The names linked from every `.wants/` and `.requires/` directory: the units systemd starts along with another. */
function linkedUnits(root: string): Set<string> {
  const linked = new Set<string>();
  for (const dir of UNIT_DIRS) {
    let names: string[] = [];
    try {
      names = readdirSync(join(root, dir));
    } catch {
      continue; // read, or said unreadable, when listing the timers
    }
    for (const pulling of names.filter((name) => name.endsWith('.wants') || name.endsWith('.requires'))) {
      try {
        for (const unit of readdirSync(join(root, dir, pulling))) linked.add(unit);
      } catch {
        // a file named like a directory of links: nothing pulled in
      }
    }
  }
  return linked;
}

/**
 * The timers among `wanted` that a unit names in its `[Unit]` Wants= or Requires= (a timer with no [Install]
 * is started that way). Read only for the timers no link enables, so a host whose timers are all linked
 * reads no other unit file.
 */
function wantedByUnits(root: string, wanted: readonly string[]): Set<string> {
  const found = new Set<string>();
  if (wanted.length === 0) return found;
  const seen = new Set<string>(); // /lib is /usr/lib on a merged-/usr host: read once
  for (const dir of UNIT_DIRS) {
    let names: string[] = [];
    try {
      const real = realpathSync(join(root, dir));
      if (seen.has(real)) continue;
      seen.add(real);
      names = readdirSync(real);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!/\.(service|target|timer|socket|path)$/.test(name)) continue;
      let text: string;
      try {
        text = readFileSync(join(root, dir, name), 'utf8');
      } catch {
        continue; // a directory, or gone
      }
      if (!wanted.some((timer) => text.includes(timer))) continue;
      for (const [key, value] of section(text, 'Unit')) {
        if (key === 'Wants' || key === 'Requires') for (const unit of value.split(/\s+/)) if (wanted.includes(unit)) found.add(unit);
      }
    }
  }
  return found;
}

/** Every timer under `root` (a template's enabled instances, never the template itself), and what could not be read. */
export function readSystemdTimers(root: string): { timers: SystemdTimer[]; unreadable: string[] } {
  const unreadable: string[] = [];
  const linked = linkedUnits(root);
  const names = new Set<string>([...linked].filter((name) => name.endsWith('.timer') && unitParts(name).instance));
  for (const dir of UNIT_DIRS) {
    try {
      for (const name of readdirSync(join(root, dir))) if (name.endsWith('.timer') && !name.includes('@')) names.add(name);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') unreadable.push(`${dir}: ${errorCode(error)}`);
    }
  }
  const pulled = wantedByUnits(root, [...names].filter((name) => !linked.has(name)));
  const timers = [...names].sort().flatMap((unit): SystemdTimer[] => {
    const timer = findUnit(root, unit);
    if (!timer) return [];
    const settings = section(timer.text, 'Timer').map(([key, value]): [string, string] => [key, expandSpecifiers(value, unit)]);
    const serviceName = settings.find(([key]) => key === 'Unit')?.[1] ?? unit.replace(/\.timer$/, '.service');
    const service = findUnit(root, serviceName);
    const exec = service && section(service.text, 'Service').map(([key, value]): [string, string] => [key, expandSpecifiers(value, serviceName)]);
    return [
      {
        unit,
        file: timer.file,
        schedules: settings.filter(([key]) => key === 'OnCalendar' || MONOTONIC.includes(key)).map(([key, value]) => `${key}=${value}`),
        command: exec?.find(([key]) => key === 'ExecStart')?.[1].replace(/^[-@+!:]+/, ''),
        user: exec?.find(([key]) => key === 'User')?.[1] ?? 'root',
        enabled: !timer.masked && (linked.has(unit) || pulled.has(unit)),
        masked: timer.masked,
        vendor: VENDOR_DIRS.some((dir) => timer.file.startsWith(`${dir}/`)),
      },
    ];
  });
  return { timers, unreadable };
}
