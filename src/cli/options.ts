import { parseDuration } from './duration.js';
import { UsageError } from './usage-error.js';
import { parseTimestampStyle, type TimestampStyle } from '../annotate/timestamp.js';
import { parseJobName } from '../state/paths.js';

/** Everything a run can be told, after flags and environment are read. */
export interface Settings {
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
}

/** One option, declared once: commander, the `CRONWRAP_*` twin and `--help` all come from this row. */
export interface OptionSpec<K extends keyof Settings = keyof Settings> {
  key: K;
  /** Commander's flags; a value placeholder (`<file>`) makes it take a value. */
  flags: string;
  /** The environment twin, read when the flag is not given. */
  env?: string;
  help: string;
  /** Reads a value from a flag or the environment; throws a UsageError that names `label`. */
  parse: (label: string, value: string) => Settings[K];
  defaultValue: Settings[K];
}

const text = (_label: string, value: string) => value;

function flag(label: string, value: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off|)$/i.test(value)) return false;
  throw new UsageError(`${label}: '${value}' is not a yes/no value; use 1 or 0`);
}

/** A whole number from `min` to `max`. */
function count(min: number, max: number) {
  return (label: string, value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
      throw new UsageError(`${label}: '${value}' is not a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** A duration where 0 means "none". */
function optionalDuration(label: string, value: string): number | undefined {
  return parseDuration(label, value) || undefined;
}

function row<K extends keyof Settings>(spec: OptionSpec<K>): OptionSpec {
  return spec as unknown as OptionSpec;
}

export const OPTIONS: readonly OptionSpec[] = [
  row({ key: 'name', flags: '-n, --name <job>', help: 'job name for the log, history and reports (default: the command\'s base name), e.g. --name mysql-backup', parse: parseJobName, defaultValue: undefined }),
  row({ key: 'shell', flags: '-c, --shell <string>', help: 'run STRING with /bin/sh -c instead of a command, e.g. -c \'pg_dump db | gzip > db.gz\'', parse: text, defaultValue: undefined }),
  row({ key: 'log', flags: '-l, --log <file>', help: 'append annotated output to FILE (default: <log-dir>/<job>.log)', parse: text, defaultValue: undefined }),
  row({ key: 'logDir', flags: '--log-dir <dir>', env: 'CRONWRAP_LOG_DIR', help: 'directory of default logs (default: /var/log/cronwrap as root, else <state-dir>/logs)', parse: text, defaultValue: undefined }),
  row({ key: 'stateDir', flags: '--state-dir <dir>', env: 'CRONWRAP_STATE_DIR', help: 'where run history is kept (default: /var/lib/cronwrap as root, else $XDG_STATE_HOME/cronwrap)', parse: text, defaultValue: undefined }),
  row({ key: 'timestamp', flags: '-t, --timestamp <style>', env: 'CRONWRAP_TIMESTAMP', help: 'default iso (local, ms, offset), utc, date (like date(1)), epoch, elapsed (like ts -s), delta (like ts -i), or a dayjs pattern such as \'YYYY-MM-DD HH:mm:ss\'', parse: parseTimestampStyle, defaultValue: 'iso' }),
  row({ key: 'json', flags: '--json', env: 'CRONWRAP_JSON', help: 'write JSON lines {"ts","stream","line","job","run","host"} instead of text', parse: flag, defaultValue: false }),
  row({ key: 'drainMs', flags: '--drain <duration>', env: 'CRONWRAP_DRAIN', help: 'after the command exits, how long to wait for output from processes it left behind (default 5s)', parse: parseDuration, defaultValue: 5000 }),
  row({ key: 'killAfterMs', flags: '--kill-after <duration>', env: 'CRONWRAP_KILL_AFTER', help: 'after forwarding SIGTERM/SIGINT/SIGHUP, send SIGKILL if the command is still running (default 10s)', parse: parseDuration, defaultValue: 10_000 }),
  row({ key: 'quiet', flags: '-q, --quiet', env: 'CRONWRAP_QUIET', help: 'never print the output or the failure report (the log still gets everything)', parse: flag, defaultValue: false }),
  row({ key: 'tee', flags: '--tee', env: 'CRONWRAP_TEE', help: 'always print the annotated lines on stdout, even when it is not a terminal', parse: flag, defaultValue: false }),
  row({ key: 'timeoutMs', flags: '--timeout <duration>', env: 'CRONWRAP_TIMEOUT', help: 'stop the whole process group after DURATION (SIGTERM, SIGCONT, then SIGKILL after --kill-after) and exit 124, e.g. --timeout 2h', parse: optionalDuration, defaultValue: undefined }),
  row({ key: 'keepLeftovers', flags: '--keep-leftovers', env: 'CRONWRAP_KEEP_LEFTOVERS', help: 'leave running the processes the command left in its process group (default: end them, as systemd does)', parse: flag, defaultValue: false }),
  row({ key: 'lock', flags: '--lock', env: 'CRONWRAP_LOCK', help: 'run at most one instance of the job on this host; a run that finds it busy is skipped', parse: flag, defaultValue: false }),
  row({ key: 'lockWaitMs', flags: '--lock-wait <duration>', env: 'CRONWRAP_LOCK_WAIT', help: 'with --lock, wait up to DURATION for the running instance to finish (default: do not wait)', parse: parseDuration, defaultValue: 0 }),
  row({ key: 'lockBusyExit', flags: '--lock-busy-exit <n>', env: 'CRONWRAP_LOCK_BUSY_EXIT', help: 'exit status of a run skipped because the lock was busy (default 0)', parse: count(0, 255), defaultValue: 0 }),
  row({ key: 'jitterMs', flags: '--jitter <duration>', env: 'CRONWRAP_JITTER', help: 'wait up to DURATION before starting; the delay is fixed per host and job, so a fleet spreads out but each run starts on time', parse: parseDuration, defaultValue: 0 }),
  row({ key: 'retries', flags: '--retries <n>', env: 'CRONWRAP_RETRIES', help: 'run a failed command again up to N times (not when it was not found, timed out or stopped by a signal to cronwrap)', parse: count(0, 100), defaultValue: 0 }),
  row({ key: 'retryDelayMs', flags: '--retry-delay <duration>', env: 'CRONWRAP_RETRY_DELAY', help: 'pause between attempts (default 10s)', parse: parseDuration, defaultValue: 10_000 }),
  row({ key: 'lineBuffered', flags: '--line-buffered', env: 'CRONWRAP_LINE_BUFFERED', help: 'make the command flush output per line (PYTHONUNBUFFERED=1, and stdbuf -oL -eL where it exists), so each line gets its own time', parse: flag, defaultValue: false }),
  row({ key: 'pty', flags: '--pty', env: 'CRONWRAP_PTY', help: 'run the command on a pseudo-terminal (util-linux script): per-line output from any program, but stdout and stderr are merged into one stream', parse: flag, defaultValue: false }),
  row({ key: 'historyLimit', flags: '--history-limit <n>', env: 'CRONWRAP_HISTORY_LIMIT', help: 'runs kept per job in the history (default 1000)', parse: count(1, 1_000_000), defaultValue: 1000 }),
];
