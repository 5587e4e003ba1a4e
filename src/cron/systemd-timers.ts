// systemd timers, read from their unit files as systemd finds them (/etc first, then /run, /lib, /usr/lib),
// so `cronwrap jobs` sees them under --root as well as on the host.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode } from '../errors.js';

/** One timer and the service it starts. */
export interface SystemdTimer {
  /** The timer's unit file, e.g. /etc/systemd/system/backup.timer. */
  file: string;
  /** `OnCalendar=` values, as written, and the monotonic ones (`OnBootSec=5min`). */
  schedules: string[];
  /** The service's first ExecStart, without systemd's `-@+!:` prefixes; undefined when the service is not found. */
  command: string | undefined;
  user: string;
  /** Enabled: linked from timers.target.wants (a disabled timer never fires). */
  enabled: boolean;
}

const UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];
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

/** The unit file of `unit` that systemd would use (the first directory that has it), and its text. */
function findUnit(root: string, unit: string): { file: string; text: string } | undefined {
  for (const dir of UNIT_DIRS) {
    try {
      return { file: join(dir, unit), text: readFileSync(join(root, dir, unit), 'utf8') };
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Every timer unit under `root`, and what could not be read. */
export function readSystemdTimers(root: string): { timers: SystemdTimer[]; unreadable: string[] } {
  const unreadable: string[] = [];
  const names = new Set<string>();
  for (const dir of UNIT_DIRS) {
    try {
      for (const name of readdirSync(join(root, dir))) if (name.endsWith('.timer')) names.add(name);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') unreadable.push(`${dir}: ${errorCode(error)}`);
    }
  }
  let wants: string[] = [];
  try {
    wants = readdirSync(join(root, '/etc/systemd/system/timers.target.wants'));
  } catch {
    // none enabled here
  }
  const timers = [...names].sort().flatMap((name): SystemdTimer[] => {
    const timer = findUnit(root, name);
    if (!timer) return [];
    const settings = section(timer.text, 'Timer');
    const serviceName = settings.find(([key]) => key === 'Unit')?.[1] ?? name.replace(/\.timer$/, '.service');
    const service = findUnit(root, serviceName);
    const exec = service && section(service.text, 'Service');
    return [
      {
        file: timer.file,
        schedules: settings.filter(([key]) => key === 'OnCalendar' || MONOTONIC.includes(key)).map(([key, value]) => `${key}=${value}`),
        command: exec?.find(([key]) => key === 'ExecStart')?.[1].replace(/^[-@+!:]+/, ''),
        user: exec?.find(([key]) => key === 'User')?.[1] ?? 'root',
        enabled: wants.includes(name),
      },
    ];
  });
  return { timers, unreadable };
}
