import { SYSLOG_TARGETS } from '../annotate/syslog-copy.js';
import { SYSLOG_FACILITY_NAMES } from '../annotate/syslog-message.js';
import { parseTimestampStyle } from '../annotate/timestamp.js';
import { UsageError } from '../errors.js';
import { parseJobName } from '../util/job-name.js';
import {
  address,
  addresses,
  alertThreshold,
  checkedText,
  cronSchedule,
  durationRange,
  exitCodes,
  count,
  fleetExpect,
  fleetGroupName,
  duration,
  flag,
  httpUrl,
  httpUrls,
  oneOf,
  optionalDuration,
  redisUrl,
  smtpUrl,
  text,
  type ValueType,
} from './value-types.js';

const PAGERDUTY_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type PagerDutySeverity = (typeof PAGERDUTY_SEVERITIES)[number];

/** How an option is given and told: commander, the `CRONWRAP_*` twin, the config key and `--help` all come from its row. */
interface OptionFields {
  /** Commander's flags; a value placeholder (`<file>`) makes it take a value. None: environment only (secrets). */
  flags?: string;
  /** The flag may be given several times; its values are joined with spaces before parsing. */
  repeatable?: boolean;
  /** Never shown, logged or accepted as a flag; in a config file only if others cannot read it. */
  secret?: boolean;
  /** Not a config file key (it names or selects what runs). */
  cliOnly?: boolean;
  /**
   * A row of an alert channel (notify/alert-channels.ts): `test-alert` and `flush` take it. `enables`: set, it
   * turns its channel on, and only then does a run load the alert code.
   */
  alert?: 'enables' | 'configures';
  /** The environment twin, read when the flag is not given. */
  env?: string;
  /** A URL that is itself the credential (a Slack webhook's path, a ping's UUID): whoever reads it can post to it (`config check`). */
  tokenUrl?: boolean;
  help: string;
}

/** One option, declared once: a row of the table, its parser and default typed by its key. */
export interface OptionSpec<K extends keyof Settings> extends OptionFields {
  key: K;
  /** Reads a value from a flag, the environment or the config file. */
  type: ValueType<Settings[K]>;
  defaultValue: Settings[K];
}

/** A setting's type from its row: what its parser returns, or nothing when its default is nothing. */
type SettingOf<Row> = Row extends { type: ValueType<infer T>; defaultValue: infer D } ? (undefined extends D ? T | undefined : T) : never;

/** The table as written, each row's key its own name and its default one its parser could return. */
function optionTable<const T extends { [K in keyof T]: OptionFields & { key: K; type: ValueType<unknown>; defaultValue: T[K] extends { type: ValueType<infer V> } ? V | undefined : never } }>(rows: T): T {
  return rows;
}

/** The table: a row for every setting, each row's parser and default typed by its key. */
type OptionTable = { readonly [K in keyof Settings]: OptionSpec<K> };

/** Any row of the table. */
export type AnyOption = OptionTable[keyof Settings];

const DEFAULT_CONFIG = '/etc/cronwrap/cronwrap.toml';

/** An RFC 5424 APP-NAME: 1 to 48 printable ASCII characters. */
function parseSyslogTag(option: string, value: string): string {
  if (/^[!-~]{1,48}$/.test(value)) return value;
  throw new UsageError(`${option}: '${value}' cannot be a syslog tag; use 1 to 48 printable ASCII characters without spaces (e.g. --syslog-tag backup)`);
}

const TABLE = optionTable({
  config: { key: 'config', cliOnly: true, flags: '--config <file>', env: 'CRONWRAP_CONFIG', help: 'config file (default /etc/cronwrap/cronwrap.toml; a missing default file is fine)', type: text, defaultValue: DEFAULT_CONFIG },
  name: { key: 'name', cliOnly: true, flags: '-n, --name <job>', help: 'job name for the log, history and reports (default: the base name of the program doing the work, past cd, guards and wrappers such as env, nice, timeout, flock, sudo -u, sh -c), e.g. --name mysql-backup', type: checkedText(parseJobName), defaultValue: undefined },
  shell: { key: 'shell', cliOnly: true, flags: '-c, --shell <string>', help: 'run STRING with /bin/sh -c instead of a command, e.g. -c \'pg_dump db | gzip > db.gz\'', type: text, defaultValue: undefined },
  log: { key: 'log', flags: '-l, --log <file>', help: 'append annotated output to FILE (default: <log-dir>/<job>.log)', type: text, defaultValue: undefined },
  logDir: { key: 'logDir', flags: '--log-dir <dir>', env: 'CRONWRAP_LOG_DIR', help: 'directory of default logs (default: /var/log/cronwrap as root, else <state-dir>/logs)', type: text, defaultValue: undefined },
  stateDir: { key: 'stateDir', flags: '--state-dir <dir>', env: 'CRONWRAP_STATE_DIR', help: 'where run history is kept (default: /var/lib/cronwrap as root, else $XDG_STATE_HOME/cronwrap)', type: text, defaultValue: undefined },
  timestamp: { key: 'timestamp', flags: '-t, --timestamp <style>', env: 'CRONWRAP_TIMESTAMP', help: 'default iso (local, ms, offset), utc, date (like date(1)), epoch, elapsed (like ts -s), delta (like ts -i), elapsed:FORMAT or delta:FORMAT (ts -s FORMAT, ts -i FORMAT, e.g. elapsed:%.s), a ts/strftime format such as \'%Y-%m-%d %H:%M:%.S\' (%.S: microseconds), or a dayjs pattern such as \'YYYY-MM-DD HH:mm:ss\'', type: checkedText(parseTimestampStyle), defaultValue: 'iso' },
  json: { key: 'json', flags: '--json', env: 'CRONWRAP_JSON', help: 'write JSON lines {"ts","stream","line","job","run","host"} instead of text', type: flag, defaultValue: false },
  drainMs: { key: 'drainMs', flags: '--drain <duration>', env: 'CRONWRAP_DRAIN', help: 'after the command exits, how long to wait for output from processes it left behind (default 5s)', type: duration, defaultValue: 5000 },
  killAfterMs: { key: 'killAfterMs', flags: '--kill-after <duration>', env: 'CRONWRAP_KILL_AFTER', help: 'after forwarding SIGTERM/SIGINT/SIGHUP, send SIGKILL if the command is still running (default 10s)', type: duration, defaultValue: 10_000 },
  quiet: { key: 'quiet', flags: '-q, --quiet', env: 'CRONWRAP_QUIET', help: 'never print the output or the failure report (the log still gets everything)', type: flag, defaultValue: false },
  tee: { key: 'tee', flags: '--tee', env: 'CRONWRAP_TEE', help: 'always print the annotated lines on stdout, even when it is not a terminal', type: flag, defaultValue: false },
  idleTimeoutMs: { key: 'idleTimeoutMs', flags: '--idle-timeout <duration>', env: 'CRONWRAP_IDLE_TIMEOUT', help: 'stop the command like --timeout (exit 124) once it has printed nothing for DURATION, e.g. a job hung on a socket: --idle-timeout 15m', type: optionalDuration, defaultValue: undefined },
  timeoutMs: { key: 'timeoutMs', flags: '--timeout <duration>', env: 'CRONWRAP_TIMEOUT', help: 'stop the whole process group after DURATION (SIGTERM, SIGCONT, then SIGKILL after --kill-after) and exit 124, e.g. --timeout 2h', type: optionalDuration, defaultValue: undefined },
  keepLeftovers: { key: 'keepLeftovers', flags: '--keep-leftovers', env: 'CRONWRAP_KEEP_LEFTOVERS', help: 'leave running the processes the command left in its process group (default: end them, as systemd does)', type: flag, defaultValue: false },
  lock: { key: 'lock', flags: '--lock', env: 'CRONWRAP_LOCK', help: 'run at most one instance of the job on this host; a run that finds it busy is skipped', type: flag, defaultValue: false },
  lockWaitMs: { key: 'lockWaitMs', flags: '--lock-wait <duration>', env: 'CRONWRAP_LOCK_WAIT', help: 'with --lock, wait up to DURATION for the running instance to finish (default: do not wait)', type: duration, defaultValue: 0 },
  lockBusyExit: { key: 'lockBusyExit', flags: '--lock-busy-exit <n>', env: 'CRONWRAP_LOCK_BUSY_EXIT', help: 'exit status of a run skipped because the lock was busy (default 0)', type: count(0, 255), defaultValue: 0 },
  jitterMs: { key: 'jitterMs', flags: '--jitter <duration>', env: 'CRONWRAP_JITTER', help: 'wait up to DURATION before starting; the delay is fixed per host and job, so a fleet spreads out but each run starts on time', type: duration, defaultValue: 0 },
  retries: { key: 'retries', flags: '--retries <n>', env: 'CRONWRAP_RETRIES', help: 'run a failed command again up to N times (not when it was not found, timed out or stopped by a signal to cronwrap)', type: count(0, 100), defaultValue: 0 },
  retryDelayMs: { key: 'retryDelayMs', flags: '--retry-delay <duration>', env: 'CRONWRAP_RETRY_DELAY', help: 'pause between attempts (default 10s)', type: duration, defaultValue: 10_000 },
  lineBuffered: { key: 'lineBuffered', flags: '--line-buffered', env: 'CRONWRAP_LINE_BUFFERED', help: 'make the command flush output per line (PYTHONUNBUFFERED=1, and stdbuf -oL -eL where it exists), so each line gets its own time', type: flag, defaultValue: false },
  pty: { key: 'pty', flags: '--pty', env: 'CRONWRAP_PTY', help: 'run the command on a pseudo-terminal (util-linux script): per-line output from any program, but stdout and stderr are merged into one stream', type: flag, defaultValue: false },
  mailTo: { key: 'mailTo', alert: 'enables', flags: '--mail-to <addresses>', env: 'CRONWRAP_MAIL_TO', help: 'cronwrap mails failures to these addresses by the alert policy (one per failing streak; cron\'s MAILTO stays cron\'s: one mail per failed run); SMTP from CRONWRAP_SMTP_URL, else the local sendmail', type: addresses, defaultValue: undefined },
  mailFrom: { key: 'mailFrom', alert: 'configures', flags: '--mail-from <address>', env: 'CRONWRAP_MAIL_FROM', help: 'sender of alert mails (default: cronwrap@<host>)', type: address, defaultValue: undefined },
  smtpUrl: { key: 'smtpUrl', alert: 'configures', env: 'CRONWRAP_SMTP_URL', help: 'SMTP server, smtp://user@host:port (STARTTLS required to log in) or smtps://user@host:port', type: smtpUrl, defaultValue: undefined },
  smtpPassword: { key: 'smtpPassword', alert: 'configures', env: 'CRONWRAP_SMTP_PASSWORD', secret: true, help: 'SMTP password', type: text, defaultValue: undefined },
  smtpPasswordFile: { key: 'smtpPasswordFile', alert: 'configures', env: 'CRONWRAP_SMTP_PASSWORD_FILE', help: 'file holding the SMTP password', type: text, defaultValue: undefined },
  sendmail: { key: 'sendmail', alert: 'configures', env: 'CRONWRAP_SENDMAIL', help: 'the sendmail program used when no SMTP server is set (default: /usr/sbin/sendmail or /usr/lib/sendmail)', type: text, defaultValue: undefined },
  pagerdutyRoutingKey: { key: 'pagerdutyRoutingKey', alert: 'enables', env: 'CRONWRAP_PAGERDUTY_ROUTING_KEY', secret: true, help: 'PagerDuty Events API v2 routing (integration) key', type: text, defaultValue: undefined },
  pagerdutyRoutingKeyFile: { key: 'pagerdutyRoutingKeyFile', alert: 'enables', env: 'CRONWRAP_PAGERDUTY_ROUTING_KEY_FILE', help: 'file holding the PagerDuty routing key', type: text, defaultValue: undefined },
  pagerdutyUrl: { key: 'pagerdutyUrl', alert: 'configures', env: 'CRONWRAP_PAGERDUTY_URL', help: 'PagerDuty Events API endpoint (EU accounts: https://events.eu.pagerduty.com/v2/enqueue)', type: httpUrl, defaultValue: 'https://events.pagerduty.com/v2/enqueue' },
  pagerdutyDedupKey: { key: 'pagerdutyDedupKey', alert: 'configures', flags: '--pagerduty-dedup-key <template>', env: 'CRONWRAP_PAGERDUTY_DEDUP_KEY', help: 'incident key; {host} and {job} are filled in (default cronwrap/{host}/{job}; cronwrap/{job} makes a fleet share one incident)', type: text, defaultValue: 'cronwrap/{host}/{job}' },
  pagerdutySeverity: { key: 'pagerdutySeverity', alert: 'configures', flags: '--pagerduty-severity <level>', env: 'CRONWRAP_PAGERDUTY_SEVERITY', help: 'critical, error (default), warning or info', type: oneOf(PAGERDUTY_SEVERITIES), defaultValue: 'error' },
  webhooks: { key: 'webhooks', tokenUrl: true, alert: 'enables', flags: '--webhook <url>', repeatable: true, env: 'CRONWRAP_WEBHOOKS', help: 'POST a JSON run report to URL (repeatable; CRONWRAP_WEBHOOKS and the config key webhooks take a list); a URL with a token or user:password@ (sent as basic auth) belongs in the config file, where ps does not show it', type: httpUrls, defaultValue: Array.of<string>() },
  webhookFormat: { key: 'webhookFormat', alert: 'configures', flags: '--webhook-format <format>', env: 'CRONWRAP_WEBHOOK_FORMAT', help: 'json (default) or slack ({"text": ...})', type: oneOf(['json', 'slack'] as const), defaultValue: 'json' },
  ping: { key: 'ping', tokenUrl: true, flags: '--ping <url>', env: 'CRONWRAP_PING', help: 'health-check URL (healthchecks.io protocol): URL/start at start, then URL on success, URL/<exit status> or URL/fail on failure, with the last 100 kB of the log; keep a token-bearing URL in the config file, out of ps', type: httpUrl, defaultValue: undefined },
  alertAfter: { key: 'alertAfter', flags: '--alert-after <n>', env: 'CRONWRAP_ALERT_AFTER', help: 'alert only once N runs in a row have failed (default 1), or with N/M once N of the last M runs failed (a flapping job: 3/10); it recovers when fewer than N of the last M failed', type: alertThreshold, defaultValue: { failures: 1, window: undefined } },
  alertAfterSkips: { key: 'alertAfterSkips', flags: '--alert-after-skips <n>', env: 'CRONWRAP_ALERT_AFTER_SKIPS', help: 'alert once N runs in a row were skipped because the lock was busy (a stuck earlier run; default 3)', type: count(1, 10_000), defaultValue: 3 },
  remindMs: { key: 'remindMs', flags: '--remind <duration>', env: 'CRONWRAP_REMIND', help: 'while a job keeps failing, alert again at most once per DURATION (default: never; one alert per failing streak)', type: optionalDuration, defaultValue: undefined },
  notifySuccess: { key: 'notifySuccess', flags: '--notify-success', env: 'CRONWRAP_NOTIFY_SUCCESS', help: 'also send a notice when a run succeeds', type: flag, defaultValue: false },
  lockRedisUrl: { key: 'lockRedisUrl', flags: '--lock-redis <url>', env: 'CRONWRAP_LOCK_REDIS_URL', help: 'a lock across hosts in Redis: at most one run of the job at a time in the whole fleet (redis:// or rediss://)', type: redisUrl, defaultValue: undefined },
  lockRedisPassword: { key: 'lockRedisPassword', env: 'CRONWRAP_LOCK_REDIS_PASSWORD', secret: true, help: 'Redis password for --lock-redis', type: text, defaultValue: undefined },
  lockRedisPasswordFile: { key: 'lockRedisPasswordFile', env: 'CRONWRAP_LOCK_REDIS_PASSWORD_FILE', help: 'file holding the Redis password', type: text, defaultValue: undefined },
  lockRedisFallback: { key: 'lockRedisFallback', flags: '--lock-redis-fallback <skip|run>', env: 'CRONWRAP_LOCK_REDIS_FALLBACK', help: 'when Redis cannot be reached: skip the run (default) or run without the fleet lock', type: oneOf(['skip', 'run'] as const), defaultValue: 'skip' },
  lockRedisCleartextPassword: { key: 'lockRedisCleartextPassword', flags: '--lock-redis-cleartext-password', env: 'CRONWRAP_LOCK_REDIS_CLEARTEXT_PASSWORD', help: 'send the Redis password over redis:// without TLS, readable by anyone on the network (default: refused; use rediss://)', type: flag, defaultValue: false },
  lockRedisTtlMs: { key: 'lockRedisTtlMs', flags: '--lock-redis-ttl <duration>', env: 'CRONWRAP_LOCK_REDIS_TTL', help: 'how long the fleet lock outlives a host that stopped renewing it (default 30s)', type: duration, defaultValue: 30_000 },
  alertmanagerUrl: { key: 'alertmanagerUrl', flags: '--alertmanager-url <url>', env: 'CRONWRAP_ALERTMANAGER_URL', help: "obey Alertmanager's silences: a run first asks (2 s at most) whether an active silence names the job (a cron_job matcher; the host's instance, host or exported_instance if it names one): then it runs silenced (no alert, ping or report), or is skipped (exit 0) when the silence's comment starts with 'skip:'; Alertmanager unreachable: the run goes on, with a footer note (user:password@ in the URL is sent as basic auth; keep such a URL in the config file, out of ps)", type: httpUrl, defaultValue: undefined },
  alertmanagerCacheMs: { key: 'alertmanagerCacheMs', flags: '--alertmanager-cache <duration>', env: 'CRONWRAP_ALERTMANAGER_CACHE', help: "with --alertmanager-url: how long the runs on this host reuse Alertmanager's answer (kept in the state directory) before asking again (default 30s; 0: every run asks)", type: duration, defaultValue: 30_000 },
  metricsDir: { key: 'metricsDir', flags: '--metrics-dir <dir>', env: 'CRONWRAP_METRICS_DIR', help: "write cronwrap_<job>.prom there for node_exporter's textfile collector (and cronwrap-inventory.prom, for jobs --metrics)", type: text, defaultValue: undefined },
  metricsPush: { key: 'metricsPush', flags: '--metrics-push <url>', env: 'CRONWRAP_METRICS_PUSH', help: 'push the same metrics to a Prometheus Pushgateway at URL (user:password@ in it is sent as basic auth; keep such a URL in the config file, out of ps)', type: httpUrl, defaultValue: undefined },
  fleetGroup: { key: 'fleetGroup', flags: '--fleet-group <name>', env: 'CRONWRAP_FLEET_GROUP', help: 'the job runs on many hosts and is judged as one: label its metrics fleet_group=NAME (and fleet_expect), so the shipped rules raise one alert for the group, e.g. --fleet-group web-backup', type: fleetGroupName, defaultValue: undefined },
  fleetExpect: { key: 'fleetExpect', flags: '--fleet-expect <all|one|N>', env: 'CRONWRAP_FLEET_EXPECT', help: 'with --fleet-group: how many hosts of the group run the job each period: all (default; failed or missed on k of n hosts is one alert), one (a --lock-redis singleton: run on none, or on two, alerts) or at most N', type: fleetExpect, defaultValue: undefined },
  stderrFails: { key: 'stderrFails', flags: '--stderr-fails', env: 'CRONWRAP_STDERR_FAILS', help: "a run that exits 0 but writes to stderr counts as failed, as chronic -e has it: reported, alerted, counted (the exit status stays the command's; not with --pty, which merges stderr into stdout)", type: flag, defaultValue: false },
  okExit: { key: 'okExit', flags: '--ok-exit <codes>', env: 'CRONWRAP_OK_EXIT', help: "exit statuses that count as success, e.g. grep's 1: --ok-exit 1 (the exit status stays the command's)", type: exitCodes, defaultValue: Array.of<number>() },
  warnExit: { key: 'warnExit', flags: '--warn-exit <codes>', env: 'CRONWRAP_WARN_EXIT', help: "exit statuses that are a warning, not a failure, e.g. restic's 3 (a partial backup): --warn-exit 3; told to the channels as a WARNING", type: exitCodes, defaultValue: Array.of<number>() },
  pageWarnings: { key: 'pageWarnings', flags: '--no-page-warnings', env: 'CRONWRAP_PAGE_WARNINGS', help: 'send warnings (--warn-exit, healed failures, odd durations) to mail and webhooks only, not to PagerDuty (default: PagerDuty gets them with severity warning)', type: flag, defaultValue: true },
  onFailure: { key: 'onFailure', flags: '--on-failure <command>', env: 'CRONWRAP_ON_FAILURE', help: "after a failed run, run COMMAND through sh -c to heal it (CRONWRAP_JOB, _EXIT, _SIGNAL, _LOG, _RUN set; output into the run's log); a failure it heals is a warning, not a page", type: text, defaultValue: undefined },
  healTimeoutMs: { key: 'healTimeoutMs', flags: '--heal-timeout <duration>', env: 'CRONWRAP_HEAL_TIMEOUT', help: "stop the --on-failure command's process group after DURATION (default 5m)", type: duration, defaultValue: 300_000 },
  healCooldownMs: { key: 'healCooldownMs', flags: '--heal-cooldown <duration>', env: 'CRONWRAP_HEAL_COOLDOWN', help: 'no second heal within DURATION of the last one: the failure is escalated instead (default 1h)', type: duration, defaultValue: 3_600_000 },
  healBudget: { key: 'healBudget', flags: '--heal-budget <n>', env: 'CRONWRAP_HEAL_BUDGET', help: 'at most N heals in 24 hours, then failures are escalated (default 3); a run that succeeds without a heal resets the count', type: count(1, 1000), defaultValue: 3 },
  healRetry: { key: 'healRetry', flags: '--heal-retry', env: 'CRONWRAP_HEAL_RETRY', help: 'after a heal that exits 0, run the job once more; only its success makes the failure a warning', type: flag, defaultValue: false },
  schedule: { key: 'schedule', flags: '--schedule <cron>', env: 'CRONWRAP_SCHEDULE', help: "the job's cron schedule ('1 0 * * *', @daily), for the missed-run deadline in the metrics (default: the crontab line that runs this --name, read as cronwrap jobs reads it)", type: cronSchedule, defaultValue: undefined },
  expectDuration: { key: 'expectDuration', flags: '--expect-duration <min..max>', env: 'CRONWRAP_EXPECT_DURATION', help: 'warn (not fail) when a successful run takes less than MIN or more than MAX, e.g. 10m..2h (default: warn outside a fifth to five times the median of its last successful runs, once it has 5)', type: durationRange, defaultValue: undefined },
  syslog: { key: 'syslog', flags: '--syslog', env: 'CRONWRAP_SYSLOG', help: 'also send every record of the run (each output line, the start, end and skip records) to the local syslog as RFC 5424 messages with structured data [cronwrap@32473 job run stream], so the host\'s rsyslog forwarding carries it; a syslog that is missing or stuck never holds the job (records dropped are counted in the footer)', type: flag, defaultValue: false },
  syslogTo: { key: 'syslogTo', flags: '--syslog-to <target>', env: 'CRONWRAP_SYSLOG_TO', help: 'where --syslog sends: syslog (default; RFC 5424 to /dev/log) or journald (its native protocol, with the fields CRONWRAP_JOB, CRONWRAP_RUN, CRONWRAP_STREAM and SYSLOG_IDENTIFIER, to /run/systemd/journal/socket)', type: oneOf(SYSLOG_TARGETS), defaultValue: 'syslog' },
  syslogFacility: { key: 'syslogFacility', flags: '--syslog-facility <name>', env: 'CRONWRAP_SYSLOG_FACILITY', help: 'syslog facility of those messages: user (default), cron, daemon, local0..local7, ...; severity is info for stdout, notice for stderr, err for a failed run\'s end record', type: oneOf(SYSLOG_FACILITY_NAMES), defaultValue: 'user' },
  syslogTag: { key: 'syslogTag', flags: '--syslog-tag <tag>', env: 'CRONWRAP_SYSLOG_TAG', help: 'the messages\' APP-NAME (programname in rsyslog; default cronwrap)', type: checkedText(parseSyslogTag), defaultValue: 'cronwrap' },
  syslogSocket: { key: 'syslogSocket', flags: '--syslog-socket <path>', env: 'CRONWRAP_SYSLOG_SOCKET', help: 'the Unix datagram socket to send to (default /dev/log, or /run/systemd/journal/socket with --syslog-to journald)', type: text, defaultValue: undefined },
  historyLimit: { key: 'historyLimit', flags: '--history-limit <n>', env: 'CRONWRAP_HISTORY_LIMIT', help: 'runs kept per job in the history (default 1000)', type: count(1, 1_000_000), defaultValue: 1000 },
});

/** Everything a run can be told, after flags and environment are read: a setting for every row of the table. */
export type Settings = { -readonly [K in keyof typeof TABLE]: SettingOf<(typeof TABLE)[K]> };

const ROWS: OptionTable = TABLE;


/** The rows in the order `--help` and `config show` list them. */
export const OPTIONS: readonly AnyOption[] = Object.values(ROWS);

/** The settings that say where alerts go: `test-alert` and `flush` take these (and --name, --state-dir). */
export const ALERT_KEYS: readonly (keyof Settings)[] = OPTIONS.flatMap((spec) => (spec.alert ? [spec.key] : []));

/** Whether a setting that turns an alert channel on is set (a list, when it is not empty). */
export function alertsConfigured(settings: Settings): boolean {
  return OPTIONS.some((spec) => {
    const value = spec.alert === 'enables' ? settings[spec.key] : undefined;
    return Array.isArray(value) ? value.length > 0 : Boolean(value);
  });
}

/** The row's config file key: its environment twin without `CRONWRAP_`, or its flag, in snake_case. */
export function configKey(spec: AnyOption): string | undefined {
  if (spec.cliOnly) return undefined;
  if (spec.env) return spec.env.replace(/^CRONWRAP_/, '').toLowerCase();
  return /--([\w-]+)/.exec(spec.flags ?? '')?.[1]?.replace(/-/g, '_');
}

/** The environment variables that hold cronwrap's own secrets, or URLs that may carry one: none of the job's business. */
export const SECRET_VARIABLES: readonly string[] = OPTIONS.flatMap((spec) => ((spec.secret || spec.type.url) && spec.env ? [spec.env] : []));

/** A record by setting built from parts, checked to hold every key (the table has a row for each). */
export function isComplete<T extends Record<keyof Settings, unknown>>(partial: Partial<T>): partial is T {
  return OPTIONS.every((spec) => spec.key in partial);
}
