import { parseDuration } from './duration.js';
import { UsageError } from './usage-error.js';
import { parseTimestampStyle, type TimestampStyle } from '../annotate/timestamp.js';
import { parseJobName } from '../state/paths.js';

/** Everything a run can be told, after flags and environment are read. */
export interface Settings {
  config: string;
  name: string | undefined;
  shell: string | undefined;
  log: string | undefined;
  logDir: string | undefined;
  stateDir: string | undefined;
  timestamp: TimestampStyle;
  json: boolean;
  drainMs: number;
  killAfterMs: number;
  quiet: boolean;
  tee: boolean;
  timeoutMs: number | undefined;
  keepLeftovers: boolean;
  lock: boolean;
  lockWaitMs: number;
  lockBusyExit: number;
  jitterMs: number;
  retries: number;
  retryDelayMs: number;
  lineBuffered: boolean;
  pty: boolean;
  historyLimit: number;
  mailTo: string[] | undefined;
  mailFrom: string | undefined;
  smtpUrl: string | undefined;
  smtpPassword: string | undefined;
  smtpPasswordFile: string | undefined;
  sendmail: string | undefined;
  pagerdutyRoutingKey: string | undefined;
  pagerdutyRoutingKeyFile: string | undefined;
  pagerdutyUrl: string;
  pagerdutyDedupKey: string;
  pagerdutySeverity: PagerDutySeverity;
  webhooks: string[];
  webhookFormat: 'json' | 'slack';
  ping: string | undefined;
  alertAfter: number;
  remindMs: number | undefined;
  notifySuccess: boolean;
  lockRedisUrl: string | undefined;
  lockRedisPassword: string | undefined;
  lockRedisPasswordFile: string | undefined;
  lockRedisFallback: 'skip' | 'run';
  lockRedisTtlMs: number;
  metricsDir: string | undefined;
  metricsPush: string | undefined;
}

const PAGERDUTY_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type PagerDutySeverity = (typeof PAGERDUTY_SEVERITIES)[number];

/** What a value looks like in the config file, which follows from the row's parser. */
export type ValueKind = 'text' | 'flag' | 'count' | 'duration' | 'list';
type Parser<T> = ((label: string, value: string) => T) & { kind?: ValueKind };

function kinded<T>(kind: ValueKind, parse: (label: string, value: string) => T): Parser<T> {
  return Object.assign(parse, { kind });
}

/** One option, declared once: commander, the `CRONWRAP_*` twin, the config key and `--help` all come from this row. */
export interface OptionSpec<K extends keyof Settings = keyof Settings> {
  key: K;
  /** Commander's flags; a value placeholder (`<file>`) makes it take a value. None: environment only (secrets). */
  flags?: string;
  /** The flag may be given several times; its values are joined with spaces before `parse`. */
  repeatable?: boolean;
  /** Never shown, logged or accepted as a flag; in a config file only if others cannot read it. */
  secret?: boolean;
  /** Not a config file key (it names or selects what runs). */
  cliOnly?: boolean;
  /** The environment twin, read when the flag is not given. */
  env?: string;
  help: string;
  /** Reads a value from a flag or the environment; throws a UsageError that names `label`. */
  parse: (label: string, value: string) => Settings[K];
  defaultValue: Settings[K];
}

const text = kinded('text', (_label: string, value: string) => value);

const flag = kinded('flag', (label: string, value: string): boolean => {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off|)$/i.test(value)) return false;
  throw new UsageError(`${label}: '${value}' is not a yes/no value; use 1 or 0`);
});

const duration = kinded('duration', parseDuration);

/** A whole number from `min` to `max`. */
function count(min: number, max: number) {
  return kinded('count', (label: string, value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
      throw new UsageError(`${label}: '${value}' is not a whole number from ${min} to ${max}`);
    }
    return n;
  });
}

/** One of a fixed set of words. */
function oneOf<T extends string>(choices: readonly T[]) {
  return (label: string, value: string): T => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new UsageError(`${label}: '${value}' is not one of ${choices.join(', ')}`);
  };
}

/** An http(s) URL. */
function httpUrl(label: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${label}: '${value}' is not a URL; give one like https://hc.example.com/ping/<uuid>`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${label}: use an http:// or https:// URL`);
  return value;
}

/** A space-separated list of http(s) URLs. */
const httpUrls = kinded('list', (label: string, value: string): string[] => value.split(/\s+/).filter(Boolean).map((url) => httpUrl(label, url)));

/** `smtp://user@host:port` or `smtps://user@host:port`; the password never goes in it. */
function smtpUrl(label: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${label}: '${value}' is not a URL; give one like smtps://alerts@smtp.example.com:465`);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new UsageError(`${label}: use smtp:// or smtps://, e.g. smtps://alerts@smtp.example.com:465`);
  if (url.password) throw new UsageError(`${label}: do not put the password in the URL; use CRONWRAP_SMTP_PASSWORD or CRONWRAP_SMTP_PASSWORD_FILE`);
  return value;
}

/** `redis://host:port` or `rediss://host:port` (TLS); the password never goes in it. */
function redisUrl(label: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${label}: '${value}' is not a URL; give one like redis://redis.example.com:6379`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new UsageError(`${label}: use redis:// or rediss:// (TLS), e.g. rediss://redis.example.com:6380`);
  if (url.password) throw new UsageError(`${label}: do not put the password in the URL; use CRONWRAP_LOCK_REDIS_PASSWORD or CRONWRAP_LOCK_REDIS_PASSWORD_FILE`);
  return value;
}

const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

/** Mail recipients, separated by commas or spaces. */
const addresses = kinded('list', (label: string, value: string): string[] => {
  const list = value.split(/[\s,]+/).filter(Boolean);
  for (const address of list) {
    if (!ADDRESS.test(address)) throw new UsageError(`${label}: '${address}' is not a mail address like ops@example.com`);
  }
  return list;
});

function address(label: string, value: string): string {
  return addresses(label, value)[0] ?? '';
}

/** A duration where 0 means "none". */
const optionalDuration = kinded('duration', (label: string, value: string): number | undefined => parseDuration(label, value) || undefined);

function row<K extends keyof Settings>(spec: OptionSpec<K>): OptionSpec {
  return spec as unknown as OptionSpec;
}

const DEFAULT_CONFIG = '/etc/cronwrap/cronwrap.toml';

export const OPTIONS: readonly OptionSpec[] = [
  row({ key: 'config', cliOnly: true, flags: '--config <file>', env: 'CRONWRAP_CONFIG', help: 'config file (default /etc/cronwrap/cronwrap.toml; a missing default file is fine)', parse: text, defaultValue: DEFAULT_CONFIG }),
  row({ key: 'name', cliOnly: true, flags: '-n, --name <job>', help: 'job name for the log, history and reports (default: the command\'s base name), e.g. --name mysql-backup', parse: parseJobName, defaultValue: undefined }),
  row({ key: 'shell', cliOnly: true, flags: '-c, --shell <string>', help: 'run STRING with /bin/sh -c instead of a command, e.g. -c \'pg_dump db | gzip > db.gz\'', parse: text, defaultValue: undefined }),
  row({ key: 'log', flags: '-l, --log <file>', help: 'append annotated output to FILE (default: <log-dir>/<job>.log)', parse: text, defaultValue: undefined }),
  row({ key: 'logDir', flags: '--log-dir <dir>', env: 'CRONWRAP_LOG_DIR', help: 'directory of default logs (default: /var/log/cronwrap as root, else <state-dir>/logs)', parse: text, defaultValue: undefined }),
  row({ key: 'stateDir', flags: '--state-dir <dir>', env: 'CRONWRAP_STATE_DIR', help: 'where run history is kept (default: /var/lib/cronwrap as root, else $XDG_STATE_HOME/cronwrap)', parse: text, defaultValue: undefined }),
  row({ key: 'timestamp', flags: '-t, --timestamp <style>', env: 'CRONWRAP_TIMESTAMP', help: 'default iso (local, ms, offset), utc, date (like date(1)), epoch, elapsed (like ts -s), delta (like ts -i), or a dayjs pattern such as \'YYYY-MM-DD HH:mm:ss\'', parse: parseTimestampStyle, defaultValue: 'iso' }),
  row({ key: 'json', flags: '--json', env: 'CRONWRAP_JSON', help: 'write JSON lines {"ts","stream","line","job","run","host"} instead of text', parse: flag, defaultValue: false }),
  row({ key: 'drainMs', flags: '--drain <duration>', env: 'CRONWRAP_DRAIN', help: 'after the command exits, how long to wait for output from processes it left behind (default 5s)', parse: duration, defaultValue: 5000 }),
  row({ key: 'killAfterMs', flags: '--kill-after <duration>', env: 'CRONWRAP_KILL_AFTER', help: 'after forwarding SIGTERM/SIGINT/SIGHUP, send SIGKILL if the command is still running (default 10s)', parse: duration, defaultValue: 10_000 }),
  row({ key: 'quiet', flags: '-q, --quiet', env: 'CRONWRAP_QUIET', help: 'never print the output or the failure report (the log still gets everything)', parse: flag, defaultValue: false }),
  row({ key: 'tee', flags: '--tee', env: 'CRONWRAP_TEE', help: 'always print the annotated lines on stdout, even when it is not a terminal', parse: flag, defaultValue: false }),
  row({ key: 'timeoutMs', flags: '--timeout <duration>', env: 'CRONWRAP_TIMEOUT', help: 'stop the whole process group after DURATION (SIGTERM, SIGCONT, then SIGKILL after --kill-after) and exit 124, e.g. --timeout 2h', parse: optionalDuration, defaultValue: undefined }),
  row({ key: 'keepLeftovers', flags: '--keep-leftovers', env: 'CRONWRAP_KEEP_LEFTOVERS', help: 'leave running the processes the command left in its process group (default: end them, as systemd does)', parse: flag, defaultValue: false }),
  row({ key: 'lock', flags: '--lock', env: 'CRONWRAP_LOCK', help: 'run at most one instance of the job on this host; a run that finds it busy is skipped', parse: flag, defaultValue: false }),
  row({ key: 'lockWaitMs', flags: '--lock-wait <duration>', env: 'CRONWRAP_LOCK_WAIT', help: 'with --lock, wait up to DURATION for the running instance to finish (default: do not wait)', parse: duration, defaultValue: 0 }),
  row({ key: 'lockBusyExit', flags: '--lock-busy-exit <n>', env: 'CRONWRAP_LOCK_BUSY_EXIT', help: 'exit status of a run skipped because the lock was busy (default 0)', parse: count(0, 255), defaultValue: 0 }),
  row({ key: 'jitterMs', flags: '--jitter <duration>', env: 'CRONWRAP_JITTER', help: 'wait up to DURATION before starting; the delay is fixed per host and job, so a fleet spreads out but each run starts on time', parse: duration, defaultValue: 0 }),
  row({ key: 'retries', flags: '--retries <n>', env: 'CRONWRAP_RETRIES', help: 'run a failed command again up to N times (not when it was not found, timed out or stopped by a signal to cronwrap)', parse: count(0, 100), defaultValue: 0 }),
  row({ key: 'retryDelayMs', flags: '--retry-delay <duration>', env: 'CRONWRAP_RETRY_DELAY', help: 'pause between attempts (default 10s)', parse: duration, defaultValue: 10_000 }),
  row({ key: 'lineBuffered', flags: '--line-buffered', env: 'CRONWRAP_LINE_BUFFERED', help: 'make the command flush output per line (PYTHONUNBUFFERED=1, and stdbuf -oL -eL where it exists), so each line gets its own time', parse: flag, defaultValue: false }),
  row({ key: 'pty', flags: '--pty', env: 'CRONWRAP_PTY', help: 'run the command on a pseudo-terminal (util-linux script): per-line output from any program, but stdout and stderr are merged into one stream', parse: flag, defaultValue: false }),
  row({ key: 'mailTo', flags: '--mail-to <addresses>', env: 'CRONWRAP_MAIL_TO', help: 'mail failures to these addresses (default: cron\'s MAILTO); SMTP from CRONWRAP_SMTP_URL, else the local sendmail', parse: addresses, defaultValue: undefined }),
  row({ key: 'mailFrom', flags: '--mail-from <address>', env: 'CRONWRAP_MAIL_FROM', help: 'sender of alert mails (default: cronwrap@<host>)', parse: address, defaultValue: undefined }),
  row({ key: 'smtpUrl', env: 'CRONWRAP_SMTP_URL', help: 'SMTP server, smtp://user@host:port (STARTTLS required to log in) or smtps://user@host:port', parse: smtpUrl, defaultValue: undefined }),
  row({ key: 'smtpPassword', env: 'CRONWRAP_SMTP_PASSWORD', secret: true, help: 'SMTP password', parse: text, defaultValue: undefined }),
  row({ key: 'smtpPasswordFile', env: 'CRONWRAP_SMTP_PASSWORD_FILE', help: 'file holding the SMTP password', parse: text, defaultValue: undefined }),
  row({ key: 'sendmail', env: 'CRONWRAP_SENDMAIL', help: 'the sendmail program used when no SMTP server is set (default: /usr/sbin/sendmail or /usr/lib/sendmail)', parse: text, defaultValue: undefined }),
  row({ key: 'pagerdutyRoutingKey', env: 'CRONWRAP_PAGERDUTY_ROUTING_KEY', secret: true, help: 'PagerDuty Events API v2 routing (integration) key', parse: text, defaultValue: undefined }),
  row({ key: 'pagerdutyRoutingKeyFile', env: 'CRONWRAP_PAGERDUTY_ROUTING_KEY_FILE', help: 'file holding the PagerDuty routing key', parse: text, defaultValue: undefined }),
  row({ key: 'pagerdutyUrl', env: 'CRONWRAP_PAGERDUTY_URL', help: 'PagerDuty Events API endpoint (EU accounts: https://events.eu.pagerduty.com/v2/enqueue)', parse: httpUrl, defaultValue: 'https://events.pagerduty.com/v2/enqueue' }),
  row({ key: 'pagerdutyDedupKey', flags: '--pagerduty-dedup-key <template>', env: 'CRONWRAP_PAGERDUTY_DEDUP_KEY', help: 'incident key; {host} and {job} are filled in (default cronwrap/{host}/{job}; cronwrap/{job} makes a fleet share one incident)', parse: text, defaultValue: 'cronwrap/{host}/{job}' }),
  row({ key: 'pagerdutySeverity', flags: '--pagerduty-severity <level>', env: 'CRONWRAP_PAGERDUTY_SEVERITY', help: 'critical, error (default), warning or info', parse: oneOf(PAGERDUTY_SEVERITIES), defaultValue: 'error' }),
  row({ key: 'webhooks', flags: '--webhook <url>', repeatable: true, env: 'CRONWRAP_WEBHOOKS', help: 'POST a JSON run report to URL (repeatable; CRONWRAP_WEBHOOKS and the config key webhooks take a list)', parse: httpUrls, defaultValue: [] }),
  row({ key: 'webhookFormat', flags: '--webhook-format <format>', env: 'CRONWRAP_WEBHOOK_FORMAT', help: 'json (default) or slack ({"text": ...})', parse: oneOf(['json', 'slack'] as const), defaultValue: 'json' }),
  row({ key: 'ping', flags: '--ping <url>', env: 'CRONWRAP_PING', help: 'health-check URL (healthchecks.io protocol): URL/start at start, URL on success, URL/fail with the output tail on failure', parse: httpUrl, defaultValue: undefined }),
  row({ key: 'alertAfter', flags: '--alert-after <n>', env: 'CRONWRAP_ALERT_AFTER', help: 'alert only once N runs in a row have failed (default 1)', parse: count(1, 10_000), defaultValue: 1 }),
  row({ key: 'remindMs', flags: '--remind <duration>', env: 'CRONWRAP_REMIND', help: 'while a job keeps failing, alert again at most once per DURATION (default: once)', parse: optionalDuration, defaultValue: undefined }),
  row({ key: 'notifySuccess', flags: '--notify-success', env: 'CRONWRAP_NOTIFY_SUCCESS', help: 'also send a notice when a run succeeds', parse: flag, defaultValue: false }),
  row({ key: 'lockRedisUrl', flags: '--lock-redis <url>', env: 'CRONWRAP_LOCK_REDIS_URL', help: 'a lock across hosts in Redis: at most one run of the job at a time in the whole fleet (redis:// or rediss://)', parse: redisUrl, defaultValue: undefined }),
  row({ key: 'lockRedisPassword', env: 'CRONWRAP_LOCK_REDIS_PASSWORD', secret: true, help: 'Redis password for --lock-redis', parse: text, defaultValue: undefined }),
  row({ key: 'lockRedisPasswordFile', env: 'CRONWRAP_LOCK_REDIS_PASSWORD_FILE', help: 'file holding the Redis password', parse: text, defaultValue: undefined }),
  row({ key: 'lockRedisFallback', flags: '--lock-redis-fallback <skip|run>', env: 'CRONWRAP_LOCK_REDIS_FALLBACK', help: 'when Redis cannot be reached: skip the run (default) or run without the fleet lock', parse: oneOf(['skip', 'run'] as const), defaultValue: 'skip' }),
  row({ key: 'lockRedisTtlMs', flags: '--lock-redis-ttl <duration>', env: 'CRONWRAP_LOCK_REDIS_TTL', help: 'how long the fleet lock outlives a host that stopped renewing it (default 30s)', parse: duration, defaultValue: 30_000 }),
  row({ key: 'metricsDir', flags: '--metrics-dir <dir>', env: 'CRONWRAP_METRICS_DIR', help: "write cronwrap_<job>.prom there for node_exporter's textfile collector", parse: text, defaultValue: undefined }),
  row({ key: 'metricsPush', flags: '--metrics-push <url>', env: 'CRONWRAP_METRICS_PUSH', help: 'push the same metrics to a Prometheus Pushgateway at URL', parse: httpUrl, defaultValue: undefined }),
  row({ key: 'historyLimit', flags: '--history-limit <n>', env: 'CRONWRAP_HISTORY_LIMIT', help: 'runs kept per job in the history (default 1000)', parse: count(1, 1_000_000), defaultValue: 1000 }),
];

/** The settings that say where alerts go: `test-alert` and `flush` take these (and --name, --state-dir). */
export const ALERT_KEYS: readonly (keyof Settings)[] = [
  'mailTo',
  'mailFrom',
  'smtpUrl',
  'smtpPassword',
  'smtpPasswordFile',
  'sendmail',
  'pagerdutyRoutingKey',
  'pagerdutyRoutingKeyFile',
  'pagerdutyUrl',
  'pagerdutyDedupKey',
  'pagerdutySeverity',
  'webhooks',
  'webhookFormat',
];

/** The kind of value a row takes, for the config file. */
export function valueKind(spec: OptionSpec): ValueKind {
  return (spec.parse as Parser<unknown>).kind ?? 'text';
}

/** The row's config file key: its environment twin without `CRONWRAP_`, or its flag, in snake_case. */
export function configKey(spec: OptionSpec): string | undefined {
  if (spec.cliOnly) return undefined;
  if (spec.env) return spec.env.replace(/^CRONWRAP_/, '').toLowerCase();
  return /--([\w-]+)/.exec(spec.flags ?? '')?.[1]?.replace(/-/g, '_');
}
