import { scheduleProblem } from '../cron/crontab.js';
import { UsageError } from '../errors.js';
import { isNumber, optional, shape } from '../util/check.js';
import { isMailAddress } from '../util/mail-address.js';

/** What a value looks like in the config file. */
export type ValueKind = 'text' | 'flag' | 'count' | 'threshold' | 'duration' | 'list' | 'codes';

/** How an option's value is read from a flag, a variable or the config file; errors name `label`. */
export interface ValueType<T> {
  kind: ValueKind;
  parse(label: string, value: string): T;
  /** URLs: they may carry a token or a password, so a value is never echoed, shown whole or passed to the job. */
  url?: true;
}

function valueType<T>(kind: ValueKind, parse: (label: string, value: string) => T): ValueType<T> {
  return { kind, parse };
}

function urlType<T>(kind: ValueKind, parse: (label: string, value: string) => T): ValueType<T> {
  return { kind, parse, url: true };
}

export const text = valueType('text', (_label, value) => value);

/** Text that must be given in a form of its own (a job name, a timestamp style). */
export const checkedText = <T>(parse: (label: string, value: string) => T): ValueType<T> => valueType('text', parse);

export const flag = valueType('flag', (label, value): boolean => {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off|)$/i.test(value)) return false;
  throw new UsageError(`${label}: '${value}' is not a yes/no value; use 1 or 0`);
});

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Node's timers hold at most 2^31-1 ms (24.8 days); a longer one fires at once. 24 days is the round limit. */
const MAX_DURATION_MS = 24 * UNIT_MS.d!;

/** Parses `500ms`, `90s`, `5m`, `2h`, `1d` or a bare number of seconds into milliseconds, at most 24 days. */
export function parseDuration(option: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) {
    throw new UsageError(`${option}: '${value}' is not a duration; use a number with a unit, like 500ms, 90s, 5m or 2h`);
  }
  const ms = Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']!);
  if (ms > MAX_DURATION_MS) throw new UsageError(`${option}: '${value}' is longer than cronwrap can time (at most 24d)`);
  return ms;
}

export const duration = valueType('duration', parseDuration);

/** A duration where 0 means "none". */
export const optionalDuration = valueType('duration', (label, value): number | undefined => parseDuration(label, value) || undefined);

/** A whole number from `min` to `max`. */
export function count(min: number, max: number): ValueType<number> {
  return valueType('count', (label, value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
      throw new UsageError(`${label}: '${value}' is not a whole number from ${min} to ${max}`);
    }
    return n;
  });
}

/** When failures alert: `failures` in a row, or (with `window`) `failures` of the last `window` runs. */
export interface AlertThreshold {
  failures: number;
  window: number | undefined;
}

/** Whether a setting's value is an `AlertThreshold` (`config show` is handed every setting's value as unknown). */
export const isAlertThreshold = shape<AlertThreshold>({ failures: isNumber, window: optional(isNumber) });

/** `--alert-after N` (N failures in a row) or `--alert-after N/M` (N of the last M runs failed). */
export const alertThreshold = valueType('threshold', (label, value): AlertThreshold => {
  const match = /^\s*(\d{1,5})\s*(?:\/\s*(\d{1,5})\s*)?$/.exec(value);
  const failures = Number(match?.[1]);
  const window = match?.[2] === undefined ? undefined : Number(match[2]);
  if (!match || failures < 1 || (window !== undefined && (window < failures || window > 1000))) {
    throw new UsageError(`${label}: '${value}' is not N (failures in a row) or N/M (N of the last M runs, M from N to 1000), e.g. 3 or 3/10`);
  }
  return { failures, window };
});

/** Exit statuses, `3,4` or `3 4` (the config file also takes `[3, 4]`): --ok-exit, --warn-exit. */
export const exitCodes = valueType('codes', (label, value): number[] => {
  const words = value.split(/[\s,]+/).filter(Boolean);
  const codes = words.map(Number);
  if (words.some((word, i) => !/^\d{1,3}$/.test(word) || codes[i]! < 1 || codes[i]! > 255)) {
    throw new UsageError(`${label}: '${value}' is not a list of exit statuses from 1 to 255, e.g. 3,4`);
  }
  return [...new Set(codes)];
});

/** One of a fixed set of words. */
export function oneOf<T extends string>(choices: readonly T[]): ValueType<T> {
  return valueType('text', (label, value) => {
    const choice = choices.find((c) => c === value);
    if (choice === undefined) throw new UsageError(`${label}: '${value}' is not one of ${choices.join(', ')}`);
    return choice;
  });
}

/** A URL with one of `protocols` (`wording` names them); `example` shows the form, `passwordFix` where a password goes instead. */
function urlOf(label: string, value: string, protocols: readonly string[], wording: string, example: string, passwordFix?: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${label}: not a URL (the value is not shown: it may hold a token); give one like ${example}`);
  }
  if (!protocols.includes(url.protocol)) throw new UsageError(`${label}: use ${wording}, e.g. ${example}`);
  if (passwordFix && url.password) throw new UsageError(`${label}: do not put the password in the URL; use ${passwordFix}`);
  return value;
}

const parseHttpUrl = (label: string, value: string) => urlOf(label, value, ['http:', 'https:'], 'an http:// or https:// URL', 'https://server.example.com:9093/path'); // one type for pings, Pushgateway, Alertmanager, PagerDuty

export const httpUrl = urlType('text', parseHttpUrl);

/** A space-separated list of http(s) URLs. */
export const httpUrls = urlType('list', (label, value): string[] => value.split(/\s+/).filter(Boolean).map((url) => parseHttpUrl(label, url)));

/** `smtp://user@host:port` or `smtps://user@host:port`; the password never goes in it. */
export const smtpUrl = urlType('text', (label, value) =>
  urlOf(label, value, ['smtp:', 'smtps:'], 'smtp:// or smtps://', 'smtps://alerts@smtp.example.com:465', 'CRONWRAP_SMTP_PASSWORD or CRONWRAP_SMTP_PASSWORD_FILE'),
);

/** `redis://host:port` or `rediss://host:port` (TLS); the password never goes in it. */
export const redisUrl = urlType('text', (label, value) =>
  urlOf(label, value, ['redis:', 'rediss:'], 'redis:// or rediss:// (TLS)', 'rediss://redis.example.com:6380', 'CRONWRAP_LOCK_REDIS_PASSWORD or CRONWRAP_LOCK_REDIS_PASSWORD_FILE'),
);


function parseAddresses(label: string, value: string): string[] {
  // A line break would start a mail header (`a@b\nBcc: c@d`): no control character, anywhere.
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new UsageError(`${label}: an address list may not hold a line break or other control character; separate addresses with commas or spaces`);
  const list = value.split(/[ ,]+/).filter(Boolean);
  for (const address of list) {
    if (address.startsWith('-')) throw new UsageError(`${label}: '${address}' starts with '-', which sendmail would take for an option; give a mail address like ops@example.com or a local name like root`);
    if (!isMailAddress(address)) throw new UsageError(`${label}: '${address}' is not a mail address like ops@example.com or a local name like root`);
  }
  return list;
}

/** Mail recipients, separated by commas or spaces. */
export const addresses = valueType('list', parseAddresses);

/** One mail address. */
export const address = valueType('text', (label, value) => parseAddresses(label, value)[0] ?? '');

/** A cron schedule as cron takes it: five fields or an @keyword (`1 0 * * *`, `@daily`). */
export const cronSchedule = valueType('text', (label, value) => {
  const schedule = value.trim().split(/\s+/).join(' ');
  const problem = scheduleProblem(schedule);
  if (problem) throw new UsageError(`${label}: '${value}' is not a cron schedule: ${problem}; give five fields such as '1 0 * * *', or @daily`);
  return schedule;
});

/** The run time a job should stay within: `MIN..MAX`, either side may be left out (`10m..`, `..2h`). */
export interface DurationRange {
  minMs?: number;
  maxMs?: number;
}

export const durationRange = valueType('text', (label, value): DurationRange => {
  const match = /^\s*([^.\s]*)\s*\.\.\s*([^.\s]*)\s*$/.exec(value);
  if (!match || (!match[1] && !match[2])) throw new UsageError(`${label}: '${value}' is not a range; give MIN..MAX such as 10m..2h (either side may be left out: ..2h)`);
  const range: DurationRange = {
    ...(match[1] ? { minMs: parseDuration(label, match[1]) } : {}),
    ...(match[2] ? { maxMs: parseDuration(label, match[2]) } : {}),
  };
  if (range.minMs !== undefined && range.maxMs !== undefined && range.minMs > range.maxMs) throw new UsageError(`${label}: '${value}' runs backwards; give the shorter duration first`);
  return range;
});

/** Where `cronwrap serve` listens. */
export interface Listen {
  host: string;
  port: number;
}

/** `HOST:PORT`, `[IPv6]:PORT` or a bare `PORT` (then 127.0.0.1); port 0 takes a free one. */
export function parseListen(label: string, value: string): Listen {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([\w.-]+)):(\d{1,5})$/.exec(value) ?? /^()()(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new UsageError(`${label}: '${value}' is not HOST:PORT; give e.g. 127.0.0.1:8089, [::1]:8089 or 0.0.0.0:8089`);
  return { host: match[1] || match[2] || '127.0.0.1', port };
}

/**
 * A fleet group's name, the value of the `fleet_group` label on every series of the job's metrics: kept to
 * what reads plainly in PromQL, Alertmanager matchers and amtool (no quoting needed anywhere).
 */
export const fleetGroupName = valueType('text', (label, value): string => {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(value)) {
    throw new UsageError(`${label}: '${value}' is not a fleet group name; use 1 to 64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit, e.g. web-backup`);
  }
  return value;
});

/** How many hosts of a fleet group should run the job each period: every one (`all`), or at most N (`one` is 1). */
export type FleetExpect = 'all' | number;

/** `all`, `one` or a whole number N from 1 to 10000. */
export const fleetExpect = valueType('text', (label, value): FleetExpect => {
  const word = value.trim();
  if (word === 'all') return 'all';
  if (word === 'one') return 1;
  if (/^\d{1,5}$/.test(word) && Number(word) >= 1 && Number(word) <= 10_000) return Number(word);
  throw new UsageError(`${label}: '${value}' is not all, one or a number of hosts from 1 to 10000; use all (every host of the group runs it), one (a Redis-locked singleton) or N`);
});
