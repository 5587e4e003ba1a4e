// Where a host's cron jobs are written down, as Debian's cron and anacron (and RHEL's cronie) read them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode } from '../errors.js';
import { parseCrontab, type CronEntry, type CronProblem } from './crontab.js';

/** A job in a run-parts directory (/etc/cron.daily): run by the crontab line that runs the directory. */
export interface RunPartsJob {
  file: string;
  /** The line that runs the directory, if a crontab has one (else anacron runs it, on its own clock). */
  via: CronEntry | undefined;
}

export interface CronTree {
  entries: CronEntry[];
  runParts: RunPartsJob[];
  problems: CronProblem[];
  /** What could not be read, and why (`/var/spool/cron/crontabs: EACCES`): a non-root user sees less. */
  unreadable: string[];
}

/** run-parts (and so Debian's cron for /etc/cron.d) takes only names of letters, digits, `_` and `-`. */
const RUN_PARTS_NAME = /^[A-Za-z0-9_-]+$/;
const RUN_PARTS_DIRS = ['hourly', 'daily', 'weekly', 'monthly'].map((period) => `/etc/cron.${period}`);

/**
 * Reads every crontab under `root` (`/`, or a mounted image, a container, a test tree): /etc/crontab,
 * /etc/cron.d/*, users' crontabs (Debian's /var/spool/cron/crontabs, RHEL's /var/spool/cron), anacron's
 * /etc/anacrontab, and the scripts of /etc/cron.{hourly,daily,weekly,monthly}.
 */
export function readCronTree(root: string): CronTree {
  const tree: CronTree = { entries: [], runParts: [], problems: [], unreadable: [] };
  const at = (path: string) => join(root, path);
  const read = (path: string, owner: string | undefined) => {
    try {
      const parsed = parseCrontab(readFileSync(at(path), 'utf8'), path, owner);
      tree.entries.push(...parsed.entries);
      tree.problems.push(...parsed.problems);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') tree.unreadable.push(`${path}: ${errorCode(error)}`);
    }
  };
  read('/etc/crontab', undefined);
  for (const name of list(tree, at, '/etc/cron.d')) {
    if (name.startsWith('.')) continue;
    if (!RUN_PARTS_NAME.test(name)) {
      tree.problems.push({ file: `/etc/cron.d/${name}`, line: 0, reason: "cron ignores this file: a name with characters other than letters, digits, '_' and '-'" });
      continue;
    }
    read(`/etc/cron.d/${name}`, undefined);
  }
  for (const user of list(tree, at, '/var/spool/cron/crontabs')) read(`/var/spool/cron/crontabs/${user}`, user);
  for (const user of list(tree, at, '/var/spool/cron')) {
    if (isFile(at(`/var/spool/cron/${user}`))) read(`/var/spool/cron/${user}`, user);
  }
  readAnacrontab(tree, at);
  // Debian's /etc/crontab runs the directories only when anacron is not installed (`test -x /usr/sbin/anacron ||`).
  const byAnacron = isFile(at('/usr/sbin/anacron'));
  for (const dir of RUN_PARTS_DIRS) {
    const runners = tree.entries.filter((entry) => entry.command.includes('run-parts') && entry.command.includes(dir));
    const via = runners.find((entry) => (entry.anacronDelayMinutes !== undefined) === byAnacron) ?? runners[0];
    for (const name of list(tree, at, dir)) {
      if (RUN_PARTS_NAME.test(name) && isFile(at(`${dir}/${name}`))) tree.runParts.push({ file: `${dir}/${name}`, via });
    }
  }
  return tree;
}

/** anacron's jobs (`period delay id command`) carry a period in days, not a cron schedule: kept as `@daily` and the like when they are one. */
function readAnacrontab(tree: CronTree, at: (path: string) => string): void {
  let text: string;
  try {
    text = readFileSync(at('/etc/anacrontab'), 'utf8');
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') tree.unreadable.push(`/etc/anacrontab: ${errorCode(error)}`);
    return;
  }
  const PERIODS: Record<string, string> = { '1': '@daily', '@daily': '@daily', '7': '@weekly', '@weekly': '@weekly', '@monthly': '@monthly', '30': '@monthly' };
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || /^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line)) continue;
    const match = /^(\S+)\s+(\d+)\s+(\S+)\s+(.+)$/.exec(line);
    const schedule = match ? PERIODS[match[1]!] : undefined;
    if (!match || !schedule) {
      tree.problems.push({ file: '/etc/anacrontab', line: index + 1, reason: match ? `anacron period '${match[1]}' is not daily, weekly or monthly; not shown` : 'anacron rejects this line' });
      continue;
    }
    tree.entries.push({ file: '/etc/anacrontab', line: index + 1, user: 'root', schedule, command: match[4]!, env: {}, anacronDelayMinutes: Number(match[2]) });
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

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
