import { localIso } from '../annotate/timestamp.js';
import type { CronEntry } from '../cron/crontab.js';
import { dpkgLeftover, shippedAsIs } from '../cron/dpkg-conffiles.js';
import { ignoredProblem, readCronTree, runsRunParts } from '../cron/sources.js';
import { readSystemdTimers, type SystemdTimer } from '../cron/systemd-timers.js';
import type { Io } from '../io.js';
import { join } from 'node:path';
import { errorCode } from '../errors.js';
import { print, printJson, printLine, warn } from '../output/console.js';
import { loadSchedule } from '../remote/load.js';
import { median, recentDurations } from '../run/duration-check.js';
import { historyJobs, readHistory, type RunRecord } from '../state/history.js';
import { jobsWithState } from '../state/job-state.js';
import { escapeLine, formatDuration } from '../util/format.js';
import type { JobName } from '../util/job-name.js';
import { summarizeJob } from '../jobs/job-summary.js';
import { pauseWords } from '../jobs/pause-words.js';
import { fitColumns, type Elastic } from '../output/fit-columns.js';
import { textTable } from '../output/text-table.js';
import { badNameProblem, cronwrapUse } from '../config/cronwrap-use.js';
import { applyRewrite, diffOf, planWrap } from './wrap-crontabs.js';
import { ownLine, type Viewer } from '../jobs/own-lines.js';
import { UsageError } from '../errors.js';
import { runningBinary } from '../util/build-info.js';
import { subcommand } from './subcommand.js';

/**
 * Whose a job is: `local`, the admin's (not shipped by a package, or changed since); `package`, the distro's
 * as shipped (a dpkg conffile with its shipped md5, a copy dpkg left beside one, a timer unit under /lib); `run-parts`, a line that runs a
 * run-parts directory or anacron (its scripts are jobs of their own). Only `local` jobs are the admin's to wrap.
 */
export type JobKind = 'local' | 'package' | 'run-parts';

/** One scheduled job, as `cronwrap jobs` shows it. */
export interface InventoryJob {
  /** `/etc/cron.d/backup:3`, or a run-parts script's path. */
  source: string;
  kind: JobKind;
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
  /** What an operator must see: never runs, not wrapped, too frequent, longer than its interval, scheduled twice. */
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
  const shipped = shippedAsIs(root);
  const lineKind = (entry: CronEntry): JobKind => (runsRunParts(entry.command) ? 'run-parts' : shipped(entry.file) || dpkgLeftover(entry.file) ? 'package' : 'local');
  /**
   * One scheduled thing: a cron entry (or the line running a run-parts script), or a systemd timer;
   * `neverRuns` says why cron, run-parts or systemd never starts it.
   */
  type Scheduled = { entry: CronEntry | undefined; timer?: SystemdTimer; source: string; kind: JobKind; user: string; command: string; via?: string; neverRuns?: string };
  const scheduled: Scheduled[] = [
    ...tree.entries.map((entry) => ({ entry, source: `${entry.file}:${entry.line}`, kind: lineKind(entry), user: entry.user, command: entry.command })),
    // Why cron ignores the file is told once, with the problems.
    ...tree.ignored.flatMap((file) => file.entries.map((entry) => ({ entry, source: `${entry.file}:${entry.line}`, kind: lineKind(entry), user: entry.user, command: entry.command, neverRuns: 'cron ignores this file' }))),
    ...tree.runParts.map((job) => ({
      entry: job.via,
      source: job.file,
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
  const jobs = scheduled.map(({ entry, timer, source, kind, user, command, via, neverRuns }): InventoryJob => {
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
    const interval = entry ? schedule.shortestInterval(entry.schedule) : undefined;
    const flags: string[] = [];
    if (neverRuns) flags.push(`${neverRuns}: it never runs`);
    // What a package ships or run-parts runs is not the admin's to wrap (jobs --wrap leaves it alone too).
    if (!use && kind === 'local' && !neverRuns) flags.push('not wrapped by cronwrap');
    if (use && 'badName' in use) {
      flags.push('cronwrap refuses its --name: it never runs');
      refused.push(`${source}: ${badNameProblem(use.badName)}`);
    }
    if (timer && timer.command === undefined) flags.push('its service unit is not found');
    if (!entry && !timer) flags.push('no crontab line runs its directory (anacron may)');
    if (interval !== undefined && interval < FREQUENT_MS) flags.push(`runs every ${formatDuration(interval)}`);
    if (interval !== undefined && typical !== null && typical > interval) flags.push(`a typical run (${formatDuration(typical)}) outlasts its interval (${formatDuration(interval)})`);
    const twins = command === '' || neverRuns ? undefined : byCommand.get(sameCommand(command));
    if (twins && twins.length > 1) flags.push(`also scheduled at ${alsoAt(twins, source)}`);
    const paused = facts?.paused ?? null;
    if (paused) flags.push(`${paused} (cronwrap resume ${name})`);
    return {
      source: via ? `${source} (run by ${via})` : source,
      kind,
      user,
      schedule: entry?.schedule ?? (timer ? timer.schedules.join(', ') : null),
      words: wordsOf(entry, timer, schedule.describeSchedule),
      time_zone: timeZone ?? null,
      // anacron and systemd pick their own times: only a cron schedule has a next run to tell here.
      next_run: entry && anacron === undefined && !neverRuns ? (schedule.nextRuns(entry.schedule, now, 1, timeZone)[0]?.toISOString() ?? null) : null,
      command,
      cronwrap: name,
      last_run: summary?.last_start ?? null,
      last_result: summary?.last_result ?? null,
      last_success: summary?.last_success ?? null,
      typical_duration_ms: typical,
      flags,
    };
  });
  const problems = [...tree.problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.reason}`), ...tree.ignored.map(ignoredProblem), ...refused];
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
  /** The words of cronwrap's own commands: a line that runs one is cronwrap's already. */
  subcommands: readonly string[];
}

/**
 * `cronwrap jobs --wrap [--apply] [FILE...]`: every unwrapped crontab line rewritten to run under
 * cronwrap, as a diff; with --apply, written (with a backup). Exits 1 when a file was refused or could not be written.
 */
function runWrapCrontabs(root: string, stateDir: string, options: WrapOptions, io: Io): number {
  const rewrites = planWrap(root, options.cronwrap, options.files, options.subcommands);
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

/** What `cronwrap jobs` shows, and how. */
export interface JobsOptions {
  root: string;
  json: boolean;
  /** The distro's plumbing too (`package` and `run-parts` jobs), which is left out by default. */
  all: boolean;
  /** Only the jobs cronwrap does not wrap. */
  unwrapped: boolean;
  /** Only the jobs that run as this user. */
  user: string | undefined;
}

/**
 * How the table gives way on a narrow terminal: the command first, then the schedule in words, the source
 * and the flags, each down to a width that still reads; then every other column, widest first, down to its
 * title; the job's name and what to look at last of all.
 */
function fitToWidth(header: readonly string[], rows: readonly (readonly string[])[], width: number): string[][] {
  const at = (title: string) => header.indexOf(title);
  const readable: Elastic[] = [
    { column: at('COMMAND'), min: 20, keep: 'start' },
    { column: at('SCHEDULE'), min: 16, keep: 'start' },
    { column: at('SOURCE'), min: 24, keep: 'ends' },
    { column: at('LOOK AT'), min: 30, keep: 'start' },
  ];
  const LAST = ['JOB', 'LOOK AT'];
  const down = (last: boolean) => header.flatMap((title, column): Elastic[] => (LAST.includes(title) === last ? [{ column, min: 0, keep: title === 'SOURCE' ? 'ends' : 'start' }] : []));
  const readably = readable.reduce<string[][]>((cut, column) => fitColumns(header, cut, width, [column]), rows.map((row) => [...row]));
  return fitColumns(header, fitColumns(header, readably, width, down(false)), width, down(true));
}

/** A time as the table shows it: local, to the minute. */
const shortTime = (iso: string) => localIso(Date.parse(iso)).slice(0, 16).replace('T', ' ');

/** The jobs as a table; on a terminal, cut to its width (a pipe, a file and --json get every character). */
function jobsTable(jobs: readonly InventoryJob[], withKind: boolean, width: number | undefined): string {
  const header = ['JOB', 'SOURCE', ...(withKind ? ['KIND'] : []), 'USER', 'SCHEDULE', 'NEXT RUN', 'LAST RUN', 'COMMAND', 'LOOK AT'];
  const rows = jobs.map((job) => [
    job.cronwrap ?? '-',
    job.source,
    ...(withKind ? [job.kind] : []),
    job.user,
    job.words,
    job.next_run ? shortTime(job.next_run) : '-',
    job.last_result && job.last_run ? `${job.last_result} ${shortTime(job.last_run)}` : '-',
    job.command || '-',
    job.flags.join('; '),
  ]);
  // Cut after escaping (as textTable measures cells), so an escaped control character counts as it is shown.
  return textTable(header, width === undefined ? rows : fitToWidth(header, rows.map((row) => row.map(escapeLine)), width));
}

/**
 * `cronwrap jobs`: every job scheduled on the host, with what needs a look: by default the admin's own
 * (`--all` adds the distro's plumbing), `--unwrapped` and `--user` narrow it. Exits 1 when a crontab has a
 * line or a file cron rejects or ignores, or a line whose --name cronwrap refuses (a job that never runs), else 0.
 */
export function runJobs(options: JobsOptions, stateDir: string, viewer: Viewer, io: Io, wrap?: WrapOptions): number {
  if (wrap) return runWrapCrontabs(options.root, stateDir, wrap, io);
  const found = inventory(options.root, stateDir, viewer, new Date(io.now()));
  const wanted = found.jobs.filter((job) => (!options.unwrapped || job.cronwrap === null) && (options.user === undefined || job.user === options.user));
  const jobs = options.all ? wanted : wanted.filter((job) => job.kind === 'local');
  /** The distro's plumbing the filters would show, left out: counted, so nothing is hidden unsaid. */
  const hidden = wanted.length - jobs.length;
  if (options.json) {
    printJson(io.stdout, { ...found, jobs, hidden });
  } else {
    const width = io.stdoutIsTTY ? io.stdoutColumns?.() : undefined;
    if (jobs.length > 0) print(io.stdout, jobsTable(jobs, options.all, width));
    else printLine(io.stdout, found.jobs.length === 0 ? `no scheduled jobs found under ${options.root}` : `no jobs to show under ${options.root}`);
    if (hidden > 0) warn(io.stderr, `${hidden} ${hidden === 1 ? 'job' : 'jobs'} of the distro's own plumbing not shown (files its packages shipped as they are, run-parts and anacron lines): --all shows them`);
    for (const problem of found.problems) warn(io.stderr, problem);
    for (const path of found.unreadable) warn(io.stderr, `not shown, cannot read ${path}`);
  }
  return found.problems.length > 0 ? 1 : 0;
}

export const jobs = subcommand({
  name: 'jobs',
  summary: { synopsis: 'jobs [--unwrapped] [--user U]', text: "the admin's jobs here, wrapped or not, what needs a look (--all: the distro's too)" },
  description:
    "Every job scheduled on this host (crontabs, /etc/cron.d, users' crontabs, anacron, run-parts dirs, systemd timers): its schedule in words, next run, whether cronwrap wraps it, its last run, and what needs a look. The admin's own jobs only, unless --all: files a package shipped as they are (dpkg's conffiles, timers under /lib) and run-parts/anacron lines are the distro's plumbing. On a terminal the table is cut to its width; piped, or with --json, it is whole. Example: cronwrap jobs --unwrapped --user root",
  settings: ['stateDir', 'config'],
  readsState: false,
  options: (program) =>
    program
      .option('--json', 'one JSON object: jobs, problems (lines and files cron rejects or ignores), unreadable (what this user may not read), hidden (plumbing left out)')
      .option('--all', "the distro's plumbing too, with a KIND column (local, package, run-parts)")
      .option('--unwrapped', 'only the jobs cronwrap does not wrap')
      .option('--user <name>', 'only the jobs that run as this user')
      .option('--root <dir>', 'read the cron files under DIR instead of / (a mounted image, a container)', '/')
      .option('--wrap', 'print every unwrapped crontab line rewritten to run under cronwrap (--name from the command, -c), as a diff; writes nothing. run-parts lines stay, and files a package shipped as they are unless named')
      .option('--apply', 'with --wrap: write it, keeping a backup (users\' crontabs through crontab -u USER -)')
      .argument('[files...]', 'with --wrap: only these crontab files, as the SOURCE column names them'),
  values: (program) => {
    const given = program.opts<{ json?: boolean; root?: string; all?: boolean; unwrapped?: boolean; user?: string; wrap?: boolean; apply?: boolean }>();
    if (given.apply && !given.wrap) throw new UsageError('jobs: --apply writes what --wrap shows; give --wrap --apply');
    const files = program.args;
    if (files.length > 0 && !given.wrap) throw new UsageError(`jobs: files (${files.join(' ')}) are for --wrap`);
    const listing = (['all', 'unwrapped', 'user'] as const).find((option) => given[option] !== undefined);
    if (given.wrap && listing) throw new UsageError(`jobs: --${listing} chooses what the list shows; --wrap takes files instead (as the SOURCE column names them)`);
    const [all, unwrapped] = [given.all === true, given.unwrapped === true];
    return { json: given.json === true, root: given.root ?? '/', all, unwrapped, user: given.user, wrap: given.wrap === true, apply: given.apply === true, files };
  },
  run: (call, { stateDir, viewer, io }) => {
    const wrap = call.wrap ? { apply: call.apply, files: call.files, cronwrap: runningBinary(), subcommands: viewer.subcommands } : undefined;
    const { root, json, all, unwrapped, user } = call;
    return runJobs({ root, json, all, unwrapped, user }, stateDir, viewer, io, wrap);
  },
});
