import { localIso } from '../annotate/timestamp.js';
import type { Io } from '../io.js';
import { join } from 'node:path';
import { errorCode } from '../errors.js';
import { print, printJson, printLine, warn } from '../output/console.js';
import { escapeLine } from '../util/format.js';
import { commandJobName } from '../util/command-job-name.js';
import { fitColumns, type Elastic } from '../output/fit-columns.js';
import { textTable } from '../output/text-table.js';
import { INVENTORY_FILE, saveInventory, type InventoryMetrics } from '../fleet/inventory-metrics.js';
import { inventory, type Inventory, type InventoryJob } from '../jobs/inventory.js';
import { applyRewrite, diffOf, planWrap } from './wrap-crontabs.js';
import type { Viewer } from '../jobs/own-lines.js';
import { UsageError } from '../errors.js';
import { runningBinary } from '../util/build-info.js';
import { subcommand } from './subcommand.js';

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

/**
 * The inventory as its metrics say it: the jobs that run, each named as cronwrap names it (`--name`, or the
 * program doing the work), and the lines and timers that never run, counted.
 */
function inventoryMetrics(found: Inventory, nowMs: number): InventoryMetrics {
  const running = found.jobs.filter((job) => job.never_runs === null);
  return {
    jobs: running.map((job) => ({
      labels: { cron_job: job.cronwrap ?? commandJobName({ shell: job.command }), user: job.user, schedule: job.schedule ?? '', source: job.source_kind, kind: job.kind, wrapped: job.wrapped },
      intervalSeconds: job.interval_seconds,
    })),
    problemLines: found.problem_lines,
    neverFiringTimers: found.jobs.filter((job) => job.source_kind === 'systemd' && job.never_runs !== null).length,
    timestampSeconds: nowMs / 1000,
  };
}

/**
 * `cronwrap jobs --metrics`: the whole inventory, the distro's plumbing included, into the metrics directory
 * for node_exporter. Silent when written (the package runs it every 5 minutes); what could not be read is
 * said on stderr and left out. Exits 1 when the file could not be written.
 */
function runInventoryMetrics(root: string, metricsDir: string, stateDir: string, viewer: Viewer, io: Io): number {
  const now = io.now();
  const found = inventory(root, stateDir, viewer, new Date(now));
  for (const path of found.unreadable) warn(io.stderr, `jobs --metrics: not counted, cannot read ${path}`);
  try {
    saveInventory(metricsDir, inventoryMetrics(found, now));
    return 0;
  } catch (error) {
    warn(io.stderr, `jobs --metrics: nothing written to ${metricsDir}: ${errorCode(error)}`);
    return 1;
  }
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
  /** `--metrics`: write the whole inventory there instead of listing it. */
  metricsDir?: string;
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
  if (options.metricsDir !== undefined) return runInventoryMetrics(options.root, options.metricsDir, stateDir, viewer, io);
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
    "Every job scheduled on this host (crontabs, /etc/cron.d, users' crontabs, anacron, run-parts dirs, systemd timers): its schedule in words, next run, whether cronwrap wraps it, its last run, and what needs a look. The admin's own jobs only, unless --all: files a package shipped as they are (dpkg's conffiles, timers under /lib) and run-parts/anacron lines are the distro's plumbing. On a terminal the table is cut to its width; piped, or with --json, it is whole. With --metrics, the whole inventory goes to node_exporter's textfile collector instead (cronwrap-inventory.prom in metrics_dir: cronwrap_job_info and the interval of every job, the lines cron never runs, the timers that never fire; label values cut to 64 characters, a user's crontab to 100 label sets, the rest counted in cronwrap_inventory_capped_entries); the package runs that every 5 minutes. Examples: cronwrap jobs --unwrapped --user root; cronwrap jobs --metrics --metrics-dir /var/lib/node_exporter/textfile_collector",
  settings: ['stateDir', 'config', 'metricsDir'],
  readsState: false,
  options: (program) =>
    program
      .option('--json', 'one JSON object: jobs, problems (lines and files cron rejects or ignores), problem_lines (the lines that never run, counted by why), unreadable (what this user may not read), hidden (plumbing left out)')
      .option('--all', "the distro's plumbing too, with a KIND column (local, package, run-parts)")
      .option('--unwrapped', 'only the jobs cronwrap does not wrap')
      .option('--user <name>', 'only the jobs that run as this user')
      .option('--root <dir>', 'read the cron files under DIR instead of / (a mounted image, a container)', '/')
      .option('--metrics', `write the whole inventory (every job, wrapped or not, the distro's too) to ${INVENTORY_FILE} in the metrics directory (metrics_dir, --metrics-dir) for node_exporter's textfile collector, instead of listing it; silent when written`)
      .option('--if-configured', 'with --metrics: do nothing, silently, when no metrics directory is configured (how the package runs it every 5 minutes)')
      .option('--wrap', 'print every unwrapped crontab line rewritten to run under cronwrap (--name from the command, -c), as a diff; writes nothing. run-parts lines stay, and files a package shipped as they are unless named')
      .option('--apply', 'with --wrap: write it, keeping a backup (users\' crontabs through crontab -u USER -)')
      .argument('[files...]', 'with --wrap: only these crontab files, as the SOURCE column names them'),
  values: (program) => {
    const given = program.opts<{ json?: boolean; root?: string; all?: boolean; unwrapped?: boolean; user?: string; wrap?: boolean; apply?: boolean; metrics?: boolean; ifConfigured?: boolean }>();
    if (given.apply && !given.wrap) throw new UsageError('jobs: --apply writes what --wrap shows; give --wrap --apply');
    if (given.ifConfigured && !given.metrics) throw new UsageError('jobs: --if-configured is for --metrics; give --metrics --if-configured');
    const files = program.args;
    if (files.length > 0 && !given.wrap) throw new UsageError(`jobs: files (${files.join(' ')}) are for --wrap`);
    const listing = (['all', 'unwrapped', 'user'] as const).find((option) => given[option] !== undefined);
    if (given.wrap && listing) throw new UsageError(`jobs: --${listing} chooses what the list shows; --wrap takes files instead (as the SOURCE column names them)`);
    const besideMetrics = (['json', 'all', 'unwrapped', 'user', 'wrap'] as const).find((option) => given[option] !== undefined);
    if (given.metrics && besideMetrics) throw new UsageError(`jobs: --metrics writes the whole inventory, every job; --${besideMetrics} is for the list`);
    const [all, unwrapped] = [given.all === true, given.unwrapped === true];
    const metrics = given.metrics === true ? { ifConfigured: given.ifConfigured === true } : undefined;
    return { json: given.json === true, root: given.root ?? '/', all, unwrapped, user: given.user, wrap: given.wrap === true, apply: given.apply === true, files, metrics };
  },
  run: (call, { settings, stateDir, viewer, io }) => {
    const wrap = call.wrap ? { apply: call.apply, files: call.files, cronwrap: runningBinary(), subcommands: viewer.subcommands } : undefined;
    const { root, json, all, unwrapped, user } = call;
    const metricsDir = call.metrics ? settings.metricsDir : undefined;
    if (call.metrics && metricsDir === undefined) {
      if (call.metrics.ifConfigured) return 0;
      throw new UsageError(`jobs --metrics: no metrics directory to write ${INVENTORY_FILE} into: set metrics_dir in the config file (${settings.config}), or give --metrics-dir DIR (or CRONWRAP_METRICS_DIR)`);
    }
    return runJobs({ root, json, all, unwrapped, user, ...(metricsDir !== undefined ? { metricsDir } : {}) }, stateDir, viewer, io, wrap);
  },
});
