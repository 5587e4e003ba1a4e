// Reads crontab files as Vixie cron (Debian's cron) does: variable lines, five time fields or an
// @keyword, a user field in system crontabs, the command. What cron would reject is reported, never thrown.

/** One scheduled line. */
export interface CronEntry {
  file: string;
  line: number;
  /** Who runs it: the line's user field (system crontabs) or the crontab's owner. */
  user: string;
  /** As written: `1 0 * * *` or `@daily`. */
  schedule: string;
  command: string;
  /**
   * The variables set above the line that cron reads (CRON_TZ, MAILTO, SHELL, PATH...) or that tell cronwrap
   * where a run records and whom it tells (CRONWRAP_*, XDG_STATE_HOME); others are the job's own business,
   * and keeping them would make each entry cost the whole environment.
   */
  env: Readonly<Record<string, string>>;
  /** An anacron job: it runs once per period (`schedule` is @daily, @weekly, @monthly or a number of days) when anacron runs, after this delay. */
  anacronDelayMinutes?: number;
  /** An anacron job's period when written in days (`3`): its interval, which no cron schedule says. */
  anacronPeriodDays?: number;
}

/** A line cron would reject, or ignore. */
export interface CronProblem {
  file: string;
  line: number;
  reason: string;
  /** Debian's cron then passes over the whole file ("this crontab file will be ignored"): a syntax error, no last newline. */
  ignoresFile?: true;
  /** anacron refuses the line (it runs the rest of its file). */
  rejected?: true;
}

export interface ParsedCrontab {
  entries: CronEntry[];
  problems: CronProblem[];
}

const KEYWORDS = ['reboot', 'yearly', 'annually', 'monthly', 'weekly', 'daily', 'midnight', 'hourly'];

export interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

export const FIELDS: readonly FieldRule[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** A number or (month, weekday) name of a field, or undefined when it is neither. */
function valueOf(text: string, rule: FieldRule): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = rule.names?.indexOf(text.toLowerCase()) ?? -1;
  return index === -1 ? undefined : index + (rule.min === 1 ? 1 : 0);
}

/** Why one time field is not one Vixie cron takes (`*`, N, N-M, each with an optional /step, in lists). */
export function fieldProblem(text: string, rule: FieldRule): string | undefined {
  for (const element of text.split(',')) {
    const match = /^(\*|[^-/]+(?:-[^-/]+)?)(?:\/(\d+))?$/.exec(element);
    if (!match) return `${rule.name} '${text}': '${element}' is not a value, a range or a step`;
    const [, span, step] = match;
    if (step !== undefined && Number(step) === 0) return `${rule.name} '${text}': a step of 0`;
    if (step !== undefined && span !== '*' && !span!.includes('-')) return `${rule.name} '${text}': a step needs a range or * before it`;
    if (span === '*') continue;
    const bounds = span!.split('-').map((part) => valueOf(part, rule));
    for (const [i, bound] of bounds.entries()) {
      if (bound === undefined) return `${rule.name} '${text}': '${span!.split('-')[i]}' is not a number${rule.names ? ' or a name' : ''}`;
      if (bound < rule.min || bound > rule.max) return `${rule.name} '${text}': ${bound} is out of range ${rule.min}-${rule.max}`;
    }
    if (bounds.length === 2 && bounds[0]! > bounds[1]!) return `${rule.name} '${text}': the range runs backwards`;
  }
  return undefined;
}

/** Why a schedule (five fields or an @keyword) is not one cron takes; undefined when it is. */
export function scheduleProblem(schedule: string): string | undefined {
  if (schedule.startsWith('@')) return KEYWORDS.includes(schedule.slice(1).toLowerCase()) ? undefined : `unknown ${schedule}`;
  const fields = schedule.split(/\s+/);
  if (fields.length !== 5) return `${fields.length} time fields, not 5`;
  for (const [i, field] of fields.entries()) {
    const problem = fieldProblem(field, FIELDS[i]!);
    if (problem) return problem;
  }
  return undefined;
}

const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

/** The variables cron (Debian's, cronie) reads itself: when a line runs, where its output goes, how. */
const CRON_VARIABLES = new Set(['CRON_TZ', 'TZ', 'MAILTO', 'MAILFROM', 'SHELL', 'PATH', 'HOME', 'LOGNAME', 'USER', 'CONTENT_TYPE', 'CONTENT_TRANSFER_ENCODING', 'RANDOM_DELAY']);

/** What an entry keeps: cron's variables, and those that tell a cronwrap run where it records and whom it tells. */
const keptVariable = (name: string) => CRON_VARIABLES.has(name) || name.startsWith('CRONWRAP_') || name === 'XDG_STATE_HOME';

/** More distinct kept names than this in one crontab are not read: a snapshot stays a few dozen keys. */
const MAX_KEPT_VARIABLES = 64;

const zones = new Map<string, boolean>();

/** Whether this host knows the time zone `name` (CRON_TZ=Europe/Paris): what it cannot read, no schedule is read in. */
export function knownTimeZone(name: string): boolean {
  let known = zones.get(name);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name }); // throws RangeError for a zone it does not know
      known = true;
    } catch {
      known = false;
    }
    zones.set(name, known);
  }
  return known;
}

/** A variable's value as cron takes it: surrounding quotes of the same kind removed. */
function unquote(value: string): string {
  const match = /^(['"])(.*)\1$/.exec(value.trim());
  return match ? match[2]! : value.trim();
}

/**
 * Parses a crontab. `owner` is the user of a per-user crontab; a system crontab (/etc/crontab,
 * /etc/cron.d) has no owner and carries a user field on each line instead.
 */
export function parseCrontab(text: string, file: string, owner: string | undefined): ParsedCrontab {
  const entries: CronEntry[] = [];
  const problems: CronProblem[] = [];
  // Entries share one frozen snapshot of cron's variables until one of them changes: a crontab of
  // variables and entries costs each entry a pointer, not a copy of all the variables above it.
  let env: Readonly<Record<string, string>> = Object.freeze({});
  /** The line that set CRON_TZ to a zone this host does not know, if the one in force is such. */
  let badZoneLine = 0;
  const lines = text.split('\n');
  // Cron reads a line only up to its newline: a last line without one is not read at all.
  const unterminated = lines.at(-1) !== '' ? lines.length : 0;
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) continue;
    if (line === unterminated) {
      problems.push({ file, line, reason: 'no newline at the end of the file', ignoresFile: true });
      continue;
    }
    const variable = VARIABLE.exec(text);
    if (variable) {
      const [name, value] = [variable[1]!, unquote(variable[2]!)];
      if (!keptVariable(name) || env[name] === value) continue;
      if (!(name in env) && Object.keys(env).length >= MAX_KEPT_VARIABLES) {
        problems.push({ file, line, reason: `not read: more than ${MAX_KEPT_VARIABLES} different CRONWRAP_* and cron variables in one crontab` });
        continue;
      }
      badZoneLine = name !== 'CRON_TZ' ? badZoneLine : value === '' || knownTimeZone(value) ? 0 : line;
      // A zone this host does not know is not kept: the lines below are read in the host's zone, which is
      // what a cron that cannot load it falls back to (and Debian's cron ignores CRON_TZ altogether).
      env = Object.freeze(name === 'CRON_TZ' && badZoneLine ? withoutZone(env) : { ...env, [name]: value });
      continue;
    }
    const words = text.split(/\s+/);
    const timeWords = words[0]!.startsWith('@') ? 1 : 5;
    const schedule = words.slice(0, timeWords).join(' ');
    const scheduled = scheduleProblem(schedule);
    if (scheduled) {
      problems.push({ file, line, reason: `cron rejects this line: ${scheduled}`, ignoresFile: true });
      continue;
    }
    const user = owner ?? words[timeWords];
    const command = afterWords(text, timeWords + (owner ? 0 : 1));
    if (!user || command === '') {
      problems.push({ file, line, reason: `cron rejects this line: no ${owner ? '' : 'user or '}command after the schedule`, ignoresFile: true });
      continue;
    }
    if (badZoneLine) problems.push({ file, line, reason: `CRON_TZ on line ${badZoneLine} names no time zone this host knows: the schedule is read in the host's zone` });
    entries.push({ file, line, user, schedule, command, env });
  }
  return { entries, problems };
}

/** Cron's variables without CRON_TZ. */
function withoutZone(env: Readonly<Record<string, string>>): Record<string, string> {
  const { CRON_TZ: _zone, ...rest } = env;
  return rest;
}

/** The text after the first `count` words, as written (inner spacing kept). */
function afterWords(text: string, count: number): string {
  const match = new RegExp(`^(?:\\S+\\s+){${count}}`).exec(text);
  return match ? text.slice(match[0].length) : '';
}
