import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode } from '../errors.js';
import { checkPrivateDirectory } from '../util/trust.js';
import { replaceFile } from '../state/atomic-file.js';
import { moveAside } from '../state/damaged.js';
import { arrayOf, isBoolean, isNumber, isString, literal, nullable, optional, shape, type Check } from '../util/check.js';
import type { KeptAlert } from './channel.js';
import { backoffAfter, isRetries, isTime } from './kept-backoff.js';
import type { Notice } from './notice.js';

// An alert that could not be delivered is kept in `<state>/spool/<spool>/` until a later run (or `cronwrap
// flush`) delivers it. It carries where it goes as the job's line said (its channel's own fields, channel.ts),
// so `flush` can send it without that line, but no credential: those are read again when it is re-sent.

export interface KeptFile {
  file: string;
  alert: KeptAlert;
}

const isNotice = shape<Notice>({
  id: isString,
  kind: literal('failure', 'reminder', 'skipped', 'missed', 'stuck', 'warning', 'recovery', 'success', 'test'),
  job: isString,
  host: isString,
  user: isString,
  run: isString,
  command: arrayOf(isString),
  start: isString,
  end: isString,
  durationMs: isNumber,
  exitCode: isNumber,
  status: isString,
  signal: nullable(isString),
  timedOut: isBoolean,
  attempts: isNumber,
  consecutiveFailures: isNumber,
  consecutiveSkips: optional(isNumber),
  logPath: isString,
  logProblem: optional(isString),
  notes: optional(arrayOf(isString)),
  head: arrayOf(isString),
  tail: arrayOf(isString),
  totalLines: isNumber,
});

/** What every kept alert holds, checked when read back. */
export const isKeptAlert: Check<KeptAlert> = shape<KeptAlert>({ channel: isString, notice: isNotice, keptAt: isString, retries: optional(isRetries), nextAt: optional(isTime) });

/** A channel's kept alert, checked when read back: what every one holds, and `fields`, its channel's own. */
export function keptShape<K extends KeptAlert>(fields: { [F in Exclude<keyof K, keyof KeptAlert>]-?: Check<K[F]> }): Check<K> {
  const own = shape<Pick<K, Exclude<keyof K, keyof KeptAlert>>>(fields);
  return (value): value is K => isKeptAlert(value) && own(value);
}

function spoolDir(stateDir: string, channel: string): string {
  return join(stateDir, 'spool', channel);
}

/**
 * Keeps an alert, unless the same notice's `event` is already kept for the channel. Names sort in the order kept;
 * the file appears whole (written beside, then renamed), so a reader never takes a half-written one for damaged.
 */
export function keepAlert(stateDir: string, alert: KeptAlert, now: number, askedMs = 0, event = 'send'): void {
  const dir = spoolDir(stateDir, alert.channel);
  const suffix = `-${alert.notice.id}-${event}.json`;
  try {
    if (readdirSync(dir).some((name) => name.endsWith(suffix))) return;
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  replaceFile(join(dir, `${String(now).padStart(15, '0')}${suffix}`), `${JSON.stringify({ ...alert, ...backoffAfter(0, now, askedMs) })}\n`, 0o600);
}

/** A kept alert re-sent in vain: it stays, tried again after a longer wait. */
export function backOffKept({ file, alert }: KeptFile, now: number, askedMs = 0): void {
  replaceFile(file, `${JSON.stringify({ ...alert, ...backoffAfter((alert.retries ?? 0) + 1, now, askedMs) })}\n`, 0o600);
}

/**
 * One spool's kept alerts, oldest first, each passing its channel's `check`; damaged files are moved aside
 * (named with `now`, wall-clock ms) and said in `damaged`.
 */
export function keptAlerts(stateDir: string, channel: string, check: Check<KeptAlert>, now: number): { kept: KeptFile[]; damaged: string[] } {
  const dir = spoolDir(stateDir, channel);
  const kept: KeptFile[] = [];
  const damaged: string[] = [];
  let names: string[];
  try {
    checkPrivateDirectory(dir);
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') damaged.push(`cannot read the kept alerts in ${dir}: ${errorCode(error)}`);
    return { kept, damaged };
  }
  for (const name of names) {
    const file = join(dir, name);
    let alert: unknown;
    try {
      alert = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      if (error instanceof SyntaxError) damaged.push(moveAside(file, 'not JSON', now));
      else if (errorCode(error) !== 'ENOENT') damaged.push(`cannot read ${file}: ${errorCode(error)}`); // ENOENT: sent meanwhile
      continue;
    }
    if (check(alert) && alert.channel === channel) kept.push({ file, alert });
    else damaged.push(moveAside(file, `not a kept alert for ${channel}`, now));
  }
  return { kept, damaged };
}

export function dropKept(file: string): void {
  rmSync(file, { force: true });
}

/** A channel keeps at most this many alerts, none older than MAX_KEPT_AGE_MS: a spool never grows without end. */
export const MAX_KEPT = 100;
const MAX_KEPT_AGE_MS = 7 * 24 * 3600 * 1000;

/**
 * Drops the kept alerts over the bounds, oldest first, leaving room for `room` new ones; returns the rest
 * (oldest first) and, if any were dropped, the sentence that says so.
 */
export function pruneKept(channel: string, kept: readonly KeptFile[], now: number, room: number): { kept: KeptFile[]; dropped?: string } {
  const young = kept.filter(({ alert }) => !(now - Date.parse(alert.keptAt) > MAX_KEPT_AGE_MS));
  const remaining = young.slice(Math.max(0, young.length - (MAX_KEPT - room)));
  const old = kept.length - young.length;
  const over = young.length - remaining.length;
  if (old + over === 0) return { kept: remaining };
  const keep = new Set(remaining);
  for (const file of kept) if (!keep.has(file)) dropKept(file.file);
  const why = [old > 0 ? `${old} older than 7 days` : '', over > 0 ? `${over} over the ${MAX_KEPT} a channel keeps` : ''].filter(Boolean).join(', ');
  return { kept: remaining, dropped: `dropped ${old + over} kept alerts of ${channel} (${why})` };
}

/** How many alerts each channel keeps, by spool directory. */
/** Why the kept alerts under `stateDir` cannot be read (another user's state directory, one not safe); undefined when they can, or there are none. */
export function spoolUnreadable(stateDir: string): string | undefined {
  const dir = join(stateDir, 'spool');
  try {
    checkPrivateDirectory(dir);
    readdirSync(dir);
    return undefined;
  } catch (error) {
    return errorCode(error) === 'ENOENT' ? undefined : `cannot read the kept alerts in ${dir}: ${errorCode(error)}`;
  }
}

export function keptCounts(stateDir: string): Map<string, number> {
  const counts = new Map<string, number>();
  let channels: string[];
  try {
    checkPrivateDirectory(join(stateDir, 'spool'));
    channels = readdirSync(join(stateDir, 'spool'));
  } catch {
    return counts;
  }
  for (const channel of channels) {
    try {
      const count = readdirSync(spoolDir(stateDir, channel)).filter((n) => n.endsWith('.json')).length;
      if (count > 0) counts.set(channel, count);
    } catch {
      // not a directory: nothing kept there
    }
  }
  return counts;
}
