// The host's inventory: every scheduled job (crontabs, cron.d, users' crontabs, anacron, run-parts
// scripts, systemd timers) joined with what cronwrap remembers of it. `cronwrap jobs` shows it, and
// `jobs --metrics` writes it for Prometheus.
import type { CronEntry } from '../cron/crontab.js';
import { dpkgLeftover, shippedAsIs } from '../cron/dpkg-conffiles.js';
import { ignoredProblem, readCronTree, runsRunParts } from '../cron/sources.js';
import { readSystemdTimers, type SystemdTimer } from '../cron/systemd-timers.js';
import { loadSchedule } from '../remote/load.js';
import { median, recentDurations } from '../run/duration-check.js';
import { historyJobs, readHistory, type RunRecord } from '../state/history.js';
import { jobsWithState } from '../state/job-state.js';
import { formatDuration } from '../util/format.js';
import type { JobName } from '../util/job-name.js';
import { badNameProblem, cronwrapUse } from '../config/cronwrap-use.js';
import { summarizeJob } from './job-summary.js';
import { pauseWords } from './pause-words.js';
import { ownLine, type Viewer } from './own-lines.js';

/**
 * Whose a job is: `local`, the admin's (not shipped by a package, or changed since); `package`, the distro's
 * as shipped (a dpkg conffile with its shipped md5, a copy dpkg left beside one, a timer unit under /lib); `run-parts`, a line that runs a
 * run-parts directory or anacron (its scripts are jobs of their own). Only `local` jobs are the admin's to wrap.
 */
export type JobKind = 'local' | 'package' | 'run-parts';

/**
 * The kind of place a job is written down: `crontab` (/etc/crontab), `cron.d`, `user` (a user's crontab in
 * the spool), `anacrontab`, `run-parts` (a script in /etc/cron.daily and the like), `systemd` (a timer).
 */
export type SourceKind = 'crontab' | 'cron.d' | 'user' | 'anacrontab' | 'run-parts' | 'systemd';

/** The kind of place a crontab file is. */
function sourceKindOf(file: string): SourceKind {
  if (file === '/etc/anacrontab') return 'anacrontab';
  if (file.startsWith('/etc/cron.d/')) return 'cron.d';
  return file.startsWith('/var/spool/cron/') ? 'user' : 'crontab';
}

/** One scheduled job, as `cronwrap jobs` shows it. */
export interface InventoryJob {
  /** `/etc/cron.d/backup:3`, or a run-parts script's path. */
  source: string;
  source_kind: SourceKind;
  kind: JobKind;
  user: string;
  /** As written (`1 0 * * *`, `@daily`), or, for a run-parts script, that of the line that runs its directory. */
  schedule: string | null;
  words: string;
  /** The schedule's shortest interval between two starts, when cron's schedule (or anacron's period) tells it. */
  interval_seconds: number | null;
  /** CRON_TZ set above the line: the zone cron reads the schedule in (else the host's). */
  time_zone: string | null;
  next_run: string | null;
  command: string;
  /** The cronwrap job it runs as, or null when cronwrap does not wrap it. */
  cronwrap: string | null;
  /** Whether it runs under cronwrap: a job of its own, or one of cronwrap's commands (`cronwrap check`). */
  wrapped: boolean;
  /** Why it never runs (cron ignores its file, the timer is not enabled, cronwrap refuses its --name...), or null. */
  never_runs: string | null;
  last_run: string | null;
  last_result: string | null;
  last_success: string | null;
  typical_duration_ms: number | null;
  /** What an operator must see: never runs, not wrapped, too frequent, longer than its interval, scheduled twice. */
  flags: string[];
}

/** The lines that never run, counted by why: cron (or anacron) rejects the line, cron ignores its whole file, cronwrap refuses its --name. */
export interface ProblemLines {
  rejected: number;
  ignored: number;
  refused_name: number;
}

export interface Inventory {
  jobs: InventoryJob[];
  /** Lines cron rejects or ignores, or whose job name cronwrap refuses, `file:line: reason`. */
  problems: string[];
  problem_lines: ProblemLines;
  /** What could not be read by this user, and why. */
  unreadable: string[];
}

const FREQUENT_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

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
  const shipped = shippedAsIs(root);
  const lineKind = (entry: CronEntry): JobKind => (runsRunParts(entry.command) ? 'run-parts' : shipped(entry.file) || dpkgLeftover(entry.file) ? 'package' : 'local');
  /**
   * One scheduled thing: a cron entry (or the line running a run-parts script), or a systemd timer;
   * `neverRuns` says why cron, run-parts or systemd never starts it.
   */
  type Scheduled = { entry: CronEntry | undefined; timer?: SystemdTimer; source: string; sourceKind: SourceKind; kind: JobKind; user: string; command: string; via?: string; neverRuns?: string };
  const fromLine = (entry: CronEntry) => ({ entry, source: `${entry.file}:${entry.line}`, sourceKind: sourceKindOf(entry.file), kind: lineKind(entry), user: entry.user, command: entry.command });
  const scheduled: Scheduled[] = [
    ...tree.entries.map(fromLine),
    // Why cron ignores the file is told once, with the problems.
    ...tree.ignored.flatMap((file) => file.entries.map((entry) => ({ ...fromLine(entry), neverRuns: 'cron ignores this file' }))),
    ...tree.runParts.map((job) => ({
      entry: job.via,
      source: job.file,
      sourceKind: 'run-parts' as const,
      kind: shipped(job.file) ? ('package' as const) : ('local' as const),
      user: 'root',
      command: job.file,
      ...(job.via ? { via: `${job.via.file}:${job.via.line}` } : {}),
      ...(job.skipped ? { neverRuns: job.skipped } : {}),
    })),
    ...systemd.timers.map((timer) => ({
      entry: undefined,
      timer,
      // An instance of a template (pg_dump@main.timer) is the admin's: only they know its instance.
      kind: timer.vendor && !timer.unit.includes('@') ? ('package' as const) : ('local' as const),
      source: timer.file.endsWith(`/${timer.unit}`) ? timer.file : `${timer.file} as ${timer.unit}`,
      sourceKind: 'systemd' as const,
      user: timer.user,
      command: timer.command ?? '',
      ...(timer.masked ? { neverRuns: 'timer masked' } : !timer.enabled ? { neverRuns: 'timer not enabled' } : {}),
    })),
  ];
  // The things that run each command, found once: comparing every pair costs a crontab of 10,000 lines 10^8 steps.
  const byCommand = new Map<string, string[]>();
  for (const { source, command, neverRuns } of scheduled) {
    if (command === '' || neverRuns) continue; // a line that never runs runs nothing twice
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
  const jobs = scheduled.map(({ entry, timer, source, sourceKind, kind, user, command, via, neverRuns }): InventoryJob => {
    const timeZone = entry?.env.CRON_TZ;
    const use = cronwrapUse(command, viewer.subcommands);
    const name = use && 'job' in use ? use.job : null;
    // Only the viewer's own lines have their runs here: another user's job of the same name is not this one.
    const own = name !== null && ownLine({ user, command, env: entry?.env ?? {} }, name, stateDir, viewer) !== undefined;
    const facts = own ? rememberedOf(name) : undefined;
    const runs = facts?.runs ?? [];
    const summary = name ? summarizeJob(name, runs, now.getTime()) : undefined;
    const typical = typicalDuration(runs);
    const anacron = entry?.anacronDelayMinutes;
    const interval = entry?.anacronPeriodDays !== undefined ? entry.anacronPeriodDays * DAY_MS : entry ? schedule.shortestInterval(entry.schedule) : undefined;
    const flags: string[] = [];
    if (neverRuns) flags.push(`${neverRuns}: it never runs`);
    // What a package ships or run-parts runs is not the admin's to wrap (jobs --wrap leaves it alone too).
    if (!use && kind === 'local' && !neverRuns) flags.push('not wrapped by cronwrap');
    if (use && 'badName' in use) {
      flags.push('cronwrap refuses its --name: it never runs');
      // A line of a file cron ignores never reaches cronwrap: it is told and counted once, as ignored.
      if (!neverRuns) refused.push(`${source}: ${badNameProblem(use.badName)}`);
    }
    const serviceMissing = timer !== undefined && timer.command === undefined;
    if (serviceMissing) flags.push('its service unit is not found');
    if (!entry && !timer) flags.push('no crontab line runs its directory (anacron may)');
    if (interval !== undefined && interval < FREQUENT_MS) flags.push(`runs every ${formatDuration(interval)}`);
    if (interval !== undefined && typical !== null && typical > interval) flags.push(`a typical run (${formatDuration(typical)}) outlasts its interval (${formatDuration(interval)})`);
    const twins = command === '' || neverRuns ? undefined : byCommand.get(sameCommand(command));
    if (twins && twins.length > 1) flags.push(`also scheduled at ${alsoAt(twins, source)}`);
    const paused = facts?.paused ?? null;
    if (paused) flags.push(`${paused} (cronwrap resume ${name})`);
    return {
      source: via ? `${source} (run by ${via})` : source,
      source_kind: sourceKind,
      kind,
      user,
      schedule: entry?.schedule ?? (timer ? timer.schedules.join(', ') : null),
      words: wordsOf(entry, timer, schedule.describeSchedule),
      interval_seconds: interval === undefined ? null : interval / 1000,
      time_zone: timeZone ?? null,
      // anacron and systemd pick their own times: only a cron schedule has a next run to tell here.
      next_run: entry && anacron === undefined && !neverRuns ? (schedule.nextRuns(entry.schedule, now, 1, timeZone)[0]?.toISOString() ?? null) : null,
      command,
      cronwrap: name,
      wrapped: use !== undefined,
      // systemd refuses to start a timer whose service it cannot load.
      never_runs: neverRuns ?? (use && 'badName' in use ? 'cronwrap refuses its --name' : serviceMissing ? 'its service unit is not found' : null),
      last_run: summary?.last_start ?? null,
      last_result: summary?.last_result ?? null,
      last_success: summary?.last_success ?? null,
      typical_duration_ms: typical,
      flags,
    };
  });
  const problems = [...tree.problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.reason}`), ...tree.ignored.map(ignoredProblem), ...refused];
  const problem_lines: ProblemLines = {
    rejected: tree.problems.filter((problem) => problem.ignoresFile === true || problem.rejected === true).length,
    ignored: tree.ignored.reduce((sum, file) => sum + file.entries.length, 0),
    refused_name: refused.length,
  };
  return { jobs, problems, problem_lines, unreadable: [...tree.unreadable, ...systemd.unreadable] };
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
  if (entry.anacronDelayMinutes !== undefined) {
    const period = entry.schedule.startsWith('@') ? entry.schedule.slice(1) : `every ${entry.schedule} days`;
    return `${period}, when anacron runs (after ${entry.anacronDelayMinutes} min)`;
  }
  return describe(entry.schedule);
}

