// Where a host's cron jobs are written down, as Debian's cron and anacron (and RHEL's cronie) read them.
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { errorCode } from '../errors.js';
import { readAsCron } from './crontab-rules.js';
import { parseCrontab, type CronEntry, type CronProblem } from './crontab.js';

/** A job in a run-parts directory (/etc/cron.daily): run by the crontab line that runs the directory. */
export interface RunPartsJob {
  file: string;
  /** The line that runs the directory, if a crontab has one (else anacron runs it, on its own clock). */
  via: CronEntry | undefined;
  /** Why run-parts passes over the script, when it does (`not executable`). */
  skipped?: string;
}

/** A crontab file cron passes over whole, with the lines it would otherwise run. */
export interface IgnoredCrontab {
  file: string;
  /** Why: `it rejects line 10`, `its group or others may write it (mode 0664)`... */
  reason: string;
  entries: CronEntry[];
}

export interface CronTree {
  /** The lines cron runs. */
  entries: CronEntry[];
  /** The files cron passes over whole (a line it rejects, a bad name, owner or mode): none of their lines run. */
  ignored: IgnoredCrontab[];
  runParts: RunPartsJob[];
  problems: CronProblem[];
  /** What could not be read, and why (`/var/spool/cron/crontabs: EACCES`): a non-root user sees less. */
  unreadable: string[];
}

/** run-parts (and so Debian's cron for /etc/cron.d) takes only names of letters, digits, `_` and `-`. */
const RUN_PARTS_NAME = /^[A-Za-z0-9_-]+$/;
const RUN_PARTS_DIRS = ['hourly', 'daily', 'weekly', 'monthly'].map((period) => `/etc/cron.${period}`);

/** A line that runs a run-parts directory or anacron: the system's own plumbing, whose scripts are jobs of their own. */
export function runsRunParts(command: string): boolean {
  return /\b(run-parts|anacron)\b/.test(command);
}

/** `line 10`, `lines 10, 11, 12`: a few, then how many more. */
function lineList(lines: readonly number[]): string {
  const shown = lines.slice(0, 5).join(', ');
  return `${lines.length === 1 ? 'line' : 'lines'} ${shown}${lines.length > 5 ? ` and ${lines.length - 5} more` : ''}`;
}

/** What `jobs` and `check` say of a file cron passes over. */
export function ignoredProblem(ignored: IgnoredCrontab): string {
  const jobs = ignored.entries.length;
  return `${ignored.file}: cron ignores this whole file: ${ignored.reason}${jobs > 0 ? `; its ${jobs === 1 ? 'job does' : `${jobs} jobs do`} not run` : ''}`;
}

/** Appends one by one: spreading a crontab's 100,000 entries into push() overflows the call stack. */
function appendAll<T>(to: T[], items: readonly T[]): void {
  for (const item of items) to.push(item);
}

/**
 * Reads every crontab under `root` (`/`, or a mounted image, a container, a test tree): /etc/crontab,
 * /etc/cron.d/*, users' crontabs (Debian's /var/spool/cron/crontabs, RHEL's /var/spool/cron), anacron's
 * /etc/anacrontab, and the scripts of /etc/cron.{hourly,daily,weekly,monthly}.
 */
export function readCronTree(root: string): CronTree {
  const tree: CronTree = { entries: [], ignored: [], runParts: [], problems: [], unreadable: [] };
  const at = (path: string) => join(root, path);
  /** Reads one crontab; `badName` when cron passes over it for its name (its lines are still shown, as not run). */
  const read = (path: string, owner: string | undefined, badName?: string) => {
    try {
      const file = readAsCron(at(path), owner === undefined);
      const parsed = parseCrontab(file.text, path, owner);
      appendAll(tree.problems, parsed.problems);
      const rejected = parsed.problems.filter((problem) => problem.ignoresFile).map((problem) => problem.line);
      const reason = badName ?? file.passedOver ?? (rejected.length > 0 ? `it rejects ${lineList(rejected)}` : undefined);
      if (reason) tree.ignored.push({ file: path, reason, entries: parsed.entries });
      else appendAll(tree.entries, parsed.entries);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') tree.unreadable.push(`${path}: ${errorCode(error)}`);
    }
  };
  read('/etc/crontab', undefined);
  for (const name of list(tree, at, '/etc/cron.d')) {
    if (name.startsWith('.')) continue;
    read(`/etc/cron.d/${name}`, undefined, RUN_PARTS_NAME.test(name) ? undefined : "a name with characters other than letters, digits, '_' and '-'");
  }
  for (const user of list(tree, at, '/var/spool/cron/crontabs')) read(`/var/spool/cron/crontabs/${user}`, user);
  for (const user of list(tree, at, '/var/spool/cron')) {
    if (statOf(at(`/var/spool/cron/${user}`))?.isFile()) read(`/var/spool/cron/${user}`, user);
  }
  readAnacrontab(tree, at);
  // Debian's /etc/crontab runs the directories only when anacron is not installed (`test -x /usr/sbin/anacron ||`).
  const byAnacron = statOf(at('/usr/sbin/anacron'))?.isFile() === true;
  for (const dir of RUN_PARTS_DIRS) {
    const runners = tree.entries.filter((entry) => entry.command.includes('run-parts') && entry.command.includes(dir));
    const via = runners.find((entry) => (entry.anacronDelayMinutes !== undefined) === byAnacron) ?? runners[0];
    for (const name of list(tree, at, dir)) {
      const stats = RUN_PARTS_NAME.test(name) ? statOf(at(`${dir}/${name}`)) : undefined;
      if (!stats?.isFile()) continue;
      tree.runParts.push({ file: `${dir}/${name}`, via, ...((stats.mode & 0o111) === 0 ? { skipped: 'not executable' } : {}) });
    }
  }
  return tree;
}

/** anacron's periods that are cron's @keywords too: kept as those, which `check` and `jobs` already read. */
const ANACRON_KEYWORDS: Readonly<Record<string, string>> = { '1': '@daily', '@daily': '@daily', '7': '@weekly', '@weekly': '@weekly', '@monthly': '@monthly', '30': '@monthly' };

/**
 * anacron's jobs (`period delay id command`, anacrontab(5)): the period is a number of days or @daily,
 * @weekly, @monthly. A period cron also has a keyword for is kept as that keyword; any other number of days
 * as written (`3`), with its days. A line anacron refuses is a problem, counted as rejected.
 */
function readAnacrontab(tree: CronTree, at: (path: string) => string): void {
  let text: string;
  try {
    text = readFileSync(at('/etc/anacrontab'), 'utf8');
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') tree.unreadable.push(`/etc/anacrontab: ${errorCode(error)}`);
    return;
  }
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || /^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line)) continue;
    const match = /^(\S+)\s+(\d+)\s+(\S+)\s+(.+)$/.exec(line);
    const period = match?.[1];
    const days = period !== undefined && /^\d+$/.test(period) && Number(period) >= 1 ? Number(period) : undefined;
    const schedule = period === undefined ? undefined : (ANACRON_KEYWORDS[period] ?? (days === undefined ? undefined : period));
    if (!match || !schedule) {
      const reason = `anacron rejects this line: ${period === undefined ? 'not period, delay, id and command' : `period '${period}' is not a number of days or @daily, @weekly, @monthly`}`;
      tree.problems.push({ file: '/etc/anacrontab', line: index + 1, reason, rejected: true });
      continue;
    }
    tree.entries.push({ file: '/etc/anacrontab', line: index + 1, user: 'root', schedule, command: match[4]!, env: {}, anacronDelayMinutes: Number(match[2]), ...(days === undefined ? {} : { anacronPeriodDays: days }) });
  }
}

function list(tree: CronTree, at: (path: string) => string, dir: string): string[] {
  try {
    return readdirSync(at(dir)).sort();
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') tree.unreadable.push(`${dir}: ${errorCode(error)}`);
    return [];
  }
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
