import { localIso } from '../annotate/timestamp.js';
import type { CronEntry } from '../cron/crontab.js';
import { readCronTree } from '../cron/sources.js';
import { readSystemdTimers, type SystemdTimer } from '../cron/systemd-timers.js';
import type { Io } from '../io.js';
import { join } from 'node:path';
import { errorCode } from '../errors.js';
import { print, printJson, printLine, warn } from '../output/console.js';
import { loadSchedule } from '../remote/load.js';
import { median, recentDurations } from '../report/duration-warning.js';
import { historyJobs, readHistory, type RunRecord } from '../state/history.js';
import { jobsWithState } from '../state/job-state.js';
import { formatDuration } from '../util/format.js';
import type { JobName } from '../util/job-name.js';
import { summarizeJob } from './job-summary.js';
import { pauseWords } from './pause.js';
import { textTable } from './text-table.js';
import { badNameProblem, cronwrapUse } from '../config/cronwrap-use.js';
import { applyRewrite, diffOf, planWrap } from './wrap-crontabs.js';
import { ownLine, type Viewer } from './own-lines.js';

/** One scheduled job, as `cronwrap jobs` shows it. */
export interface InventoryJob {
  /** `/etc/cron.d/backup:3`, or a run-parts script's path. */
  source: string;
  user: string;
  /** As written (`1 0 * * *`, `@daily`), or, for a run-parts script, that of the line that runs its directory. */
  schedule: string | null;
  words: string;
  /** CRON_TZ set above the line: the zone cron reads the schedule in (else the host's). */
  time_zone: string | null;
  next_run: string | null;
  command: string;
  /** The cronwrap job it runs as, or null when cronwrap does not wrap it. */
  cronwrap: string | null;
  last_run: string | null;
  last_result: string | null;
  last_success: string | null;
  typical_duration_ms: number | null;
  /** What an operator must see: not wrapped, too frequent, longer than its interval, scheduled twice. */
  flags: string[];
}

export interface Inventory {
  jobs: InventoryJob[];
  /** Lines cron rejects or ignores, or whose job name cronwrap refuses, `file:line: reason`. */
  problems: string[];
  /** What could not be read by this user, and why. */
  unreadable: string[];
}

const FREQUENT_MS = 5 * 60_000;

/** The median duration of the job's last successful runs, if it has any. */
function typicalDuration(runs: readonly RunRecord[]): number | null {
  const durations = recentDurations(runs);
  return durations.length === 0 ? null : median(durations);
}

/** Commands compared as cron runs them: the same words, whatever the spacing. */
const sameCommand = (command: string) => command.trim().split(/\s+/).join(' ');

/** Joins a host's schedules with what cronwrap remembers of each job. */
export function inventory(root: string, stateDir: string, viewer: Viewer, now: Date): Inventory {
  const tree = readCronTree(root);
  const systemd = readSystemdTimers(root);
  const schedule = loadSchedule();
  /** One scheduled thing: a cron entry (or the line running a run-parts script), or a systemd timer. */
  type Scheduled = { entry: CronEntry | undefined; timer?: SystemdTimer; source: string; user: string; command: string; via?: string };
  const scheduled: Scheduled[] = [
    ...tree.entries.map((entry) => ({ entry, source: `${entry.file}:${entry.line}`, user: entry.user, command: entry.command })),
    ...tree.runParts.map((job) => ({ entry: job.via, source: job.file, user: 'root', command: job.file, ...(job.via ? { via: `${job.via.file}:${job.via.line}` } : {}) })),
    ...systemd.timers.map((timer) => ({ entry: undefined, timer, source: timer.file, user: timer.user, command: timer.command ?? '' })),
  ];
  // The things that run each command, found once: comparing every pair costs a crontab of 10,000 lines 10^8 steps.
  const byCommand = new Map<string, string[]>();
  for (const { source, command } of scheduled) {
    if (command === '') continue;
    const key = sameCommand(command);
    const sources = byCommand.get(key);
    if (sources) sources.push(source);
    else byCommand.set(key, [source]);
  }
  // What cronwrap remembers of a job, read once per job however many lines run it, and only for the jobs
  // with a history (or a pause): a crontab naming 10,000 jobs that never ran costs no 10,000 reads.
  const recorded = new Set<string>(historyJobs(stateDir));
  const pauses = jobsWithState(stateDir, 'pauses');
  const remembered = new Map<JobName, { runs: RunRecord[]; paused: string | null }>();
  const rememberedOf = (name: JobName) => {
    let facts = remembered.get(name);
    if (!facts) {
      facts = { runs: recorded.has(name) ? readHistory(stateDir, name) : [], paused: pauses.has(name) ? pauseWords(stateDir, name, now.getTime()) : null };
      remembered.set(name, facts);
    }
    return facts;
  };
  /** Lines whose --name cronwrap refuses: told with the lines cron rejects, the name never used. */
  const refused: string[] = [];
  const jobs = scheduled.map(({ entry, timer, source, user, command, via }): InventoryJob => {
    const timeZone = entry?.env.CRON_TZ;
    const use = cronwrapUse(command);
    const name = use && 'job' in use ? use.job : null;
    // Only the viewer's own lines have their runs here: another user's job of the same name is not this one.
    const own = name !== null && ownLine({ user, command, env: entry?.env ?? {} }, name, stateDir, viewer) !== undefined;
    const facts = own ? rememberedOf(name) : undefined;
    const runs = facts?.runs ?? [];
    const summary = name ? summarizeJob(name, runs, now.getTime()) : undefined;
    const typical = typicalDuration(runs);
    const anacron = entry?.anacronDelayMinutes;
    const interval = entry ? schedule.shortestInterval(entry.schedule) : undefined;
    const flags: string[] = [];
    if (!use) flags.push('not wrapped by cronwrap');
    if (use && 'badName' in use) {
      flags.push('cronwrap refuses its --name: it never runs');
      refused.push(`${source}: ${badNameProblem(use.badName)}`);
    }
    if (timer && !timer.enabled) flags.push('timer not enabled: it never fires');
    if (timer && timer.command === undefined) flags.push('its service unit is not found');
    if (!entry && !timer) flags.push('no crontab line runs its directory (anacron may)');
    if (interval !== undefined && interval < FREQUENT_MS) flags.push(`runs every ${formatDuration(interval)}`);
    if (interval !== undefined && typical !== null && typical > interval) flags.push(`a typical run (${formatDuration(typical)}) outlasts its interval (${formatDuration(interval)})`);
    const twins = command === '' ? undefined : byCommand.get(sameCommand(command));
    if (twins && twins.length > 1) flags.push(`also scheduled at ${alsoAt(twins, source)}`);
    const paused = facts?.paused ?? null;
    if (paused) flags.push(`${paused} (cronwrap resume ${name})`);
    return {
      source: via ? `${source} (run by ${via})` : source,
      user,
      schedule: entry?.schedule ?? (timer ? timer.schedules.join(', ') : null),
      words: wordsOf(entry, timer, schedule.describeSchedule),
      time_zone: timeZone ?? null,
      // anacron and systemd pick their own times: only a cron schedule has a next run to tell here.
      next_run: entry && anacron === undefined ? (schedule.nextRuns(entry.schedule, now, 1, timeZone)[0]?.toISOString() ?? null) : null,
      command,
      cronwrap: name,
      last_run: summary?.last_start ?? null,
      last_result: summary?.last_result ?? null,
      last_success: summary?.last_success ?? null,
      typical_duration_ms: typical,
      flags,
    };
  });
  const problems = [...tree.problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.reason}`), ...refused];
  return { jobs, problems, unreadable: [...tree.unreadable, ...systemd.unreadable] };
}

const TWINS_NAMED = 3;

/** The other places that run a command: the first few by name, the rest counted (a line copied 10,000 times is one flag, not 10^8 bytes). */
function alsoAt(sources: readonly string[], self: string): string {
  const named = sources.slice(0, TWINS_NAMED + 1).filter((source) => source !== self).slice(0, TWINS_NAMED);
  const more = sources.length - 1 - named.length;
  return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
}

/** The schedule in words: cron's through cronstrue, anacron's period, a systemd timer's calendar as written. */
function wordsOf(entry: CronEntry | undefined, timer: SystemdTimer | undefined, describe: (schedule: string) => string): string {
  if (timer) return `systemd timer: ${timer.schedules.join(', ') || 'no schedule'}`;
  if (!entry) return 'unknown';
  if (entry.anacronDelayMinutes !== undefined) return `${entry.schedule.slice(1)}, when anacron runs (after ${entry.anacronDelayMinutes} min)`;
  return describe(entry.schedule);
}

export interface WrapOptions {
  /** Only show the rewrite as a diff (`--wrap`), or write it too (`--apply`). */
  apply: boolean;
  /** The files to rewrite (all when empty). */
  files: readonly string[];
  /** The cronwrap the rewritten lines call: the one running now, by its absolute path. */
  cronwrap: string;
}

/**
 * `cronwrap jobs --wrap [--apply] [FILE...]`: every unwrapped crontab line rewritten to run under
 * cronwrap, as a diff; with --apply, written (with a backup). Exits 1 when a file was refused or could not be written.
 */
function runWrapCrontabs(root: string, stateDir: string, options: WrapOptions, io: Io): number {
  const rewrites = planWrap(root, options.cronwrap, options.files);
  for (const line of diffOf(rewrites)) printLine(io.stdout, line);
  let failed = false;
  for (const rewrite of rewrites) {
    for (const left of rewrite.leftAlone) warn(io.stderr, `${rewrite.file}:${left.line}: left as it is: ${left.reason}`);
    if (rewrite.refused) {
      failed = true;
      warn(io.stderr, `${rewrite.file}: not rewritten: ${rewrite.refused}`);
      continue;
    }
    if (!options.apply || rewrite.changes.length === 0) continue;
    try {
      const backup = applyRewrite(root, rewrite, join(stateDir, 'backups'), io.now());
      warn(io.stderr, `${rewrite.file}: ${rewrite.changes.length} ${rewrite.changes.length === 1 ? 'line' : 'lines'} now run under cronwrap (the old file: ${backup})`);
    } catch (error) {
      failed = true;
      warn(io.stderr, `${rewrite.file}: not written: ${errorCode(error)}`);
    }
  }
  if (!options.apply && rewrites.some((r) => r.changes.length > 0)) print(io.stderr, 'cronwrap: nothing written; --apply writes it\n');
  return failed ? 1 : 0;
}

/**
 * `cronwrap jobs`: every job scheduled on the host, with what needs a look. Exits 1 when a crontab has a
 * line cron rejects or ignores, or one whose --name cronwrap refuses (a job that never runs), else 0.
 */
export function runJobs(root: string, stateDir: string, json: boolean, viewer: Viewer, io: Io, wrap?: WrapOptions): number {
  if (wrap) return runWrapCrontabs(root, stateDir, wrap, io);
  const found = inventory(root, stateDir, viewer, new Date(io.now()));
  if (json) {
    printJson(io.stdout, found);
  } else {
    const rows = found.jobs.map((job) => [
      job.cronwrap ?? '-',
      job.source,
      job.user,
      job.words,
      job.next_run ? localIso(Date.parse(job.next_run)).slice(0, 16).replace('T', ' ') : '-',
      job.last_result ? `${job.last_result} ${job.last_run}` : '-',
      job.flags.join('; '),
    ]);
    print(io.stdout, found.jobs.length === 0 ? `no scheduled jobs found under ${root}\n` : textTable(['JOB', 'SOURCE', 'USER', 'SCHEDULE', 'NEXT RUN', 'LAST RUN', 'LOOK AT'], rows));
    for (const problem of found.problems) warn(io.stderr, problem);
    for (const path of found.unreadable) warn(io.stderr, `not shown, cannot read ${path}`);
  }
  return found.problems.length > 0 ? 1 : 0;
}
