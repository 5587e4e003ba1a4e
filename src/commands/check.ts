import { existsSync } from 'node:fs';
import { localIso } from '../annotate/timestamp.js';
import { ALERT_KEYS, type Settings } from '../config/options.js';
import { resolveSettings, type GivenFlags } from '../config/resolve.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { alertContext } from '../notify/alert-context.js';
import type { NoticeFacts } from '../notify/index.js';
import { print, printJson, printLine, warn } from '../output/console.js';
import { loadRemote, loadSchedule, loadSilences } from '../remote/load.js';
import { median, recentDurations, USUAL_AFTER } from '../run/duration-check.js';
import { readRecentHistory } from '../state/history.js';
import { jobsWithState } from '../state/job-state.js';
import { activePause } from '../state/pauses.js';
import { silenceCachePath } from '../state/paths.js';
import { runningRuns, type RunningMark } from '../state/running.js';
import { formatDuration } from '../util/format.js';
import type { JobName } from '../util/job-name.js';
import { newRunId } from '../util/run-id.js';
import { textTable } from '../output/text-table.js';
import type { Viewer } from '../jobs/own-lines.js';
import { watchedJobs, type WatchedJob } from '../jobs/watched-jobs.js';
import { duration } from '../config/value-types.js';
import { subcommand } from './subcommand.js';

/** One job's verdict. */
export interface CheckedJob {
  job: string;
  schedule: string;
  source: string;
  /** The scheduled start that passed with no run, if one did. */
  missed: string | null;
  last_run: string | null;
  /** A run still going far past its time, in words. */
  stuck?: string;
}

/** The facts a MISSED or STUCK notice carries: no finished run, so no output; the status says what and since when. */
function findingFacts(job: string, run: string, since: number, status: string, logPath: string, command: string | undefined, io: Io): NoticeFacts {
  return {
    job,
    host: io.host,
    user: io.user,
    run,
    command: command ? [command] : [],
    start: new Date(since).toISOString(),
    end: new Date(io.now()).toISOString(),
    durationMs: io.now() - since,
    exitCode: 0,
    status,
    signal: null,
    timedOut: false,
    attempts: 0,
    logPath,
    head: [],
    tail: [],
    totalLines: 0,
  };
}

/** The facts a MISSED notice carries: the status says what was due and when. */
function missedFacts(watched: WatchedJob, due: Date, io: Io): NoticeFacts {
  const last = watched.lastStartMs === undefined ? 'no run recorded' : `last run started ${localIso(watched.lastStartMs)}`;
  const zone = watched.timeZone ? ` in ${watched.timeZone}` : '';
  const status = `did not start at ${localIso(due.getTime())} (schedule '${watched.schedule}'${zone}, from ${watched.source}); ${last}`;
  return findingFacts(watched.job, newRunId(), due.getTime(), status, watched.log ?? '(no run yet)', watched.command, io);
}

/**
 * How long a run in progress may go before it counts as stuck: past its --timeout (plus the kill and a
 * minute), else over five times its usual duration (once it has one); undefined when neither is known.
 */
function stuckAfterMs(mark: RunningMark, stateDir: string, killAfterMs: number): { limitMs: number; why: string } | undefined {
  if (mark.timeoutMs !== null) return { limitMs: mark.timeoutMs + killAfterMs + 60_000, why: `its --timeout is ${formatDuration(mark.timeoutMs)}` };
  const durations = recentDurations(readRecentHistory(stateDir, mark.job));
  if (durations.length < USUAL_AFTER) return undefined;
  const usual = median(durations);
  return { limitMs: usual * 5, why: `it usually takes ${formatDuration(usual)}` };
}

export interface CheckOptions {
  root: string;
  json: boolean;
  graceMs: number | undefined;
  flags: GivenFlags;
  viewer: Viewer;
}

/**
 * A missed job's channels and policy: the flags on its own crontab line, else this command's flags, else
 * the environment (with the variables its crontab sets), else its section of the config file: what its
 * own runs tell, secrets read as a run reads them. Only the viewer's own lines are watched (own-lines.ts),
 * so no other user's line steers these.
 */
function findingSettings(job: JobName, watched: WatchedJob | undefined, options: CheckOptions, io: Io): Settings {
  const line = watched?.line;
  if (!watched || !line) return resolveSettings(options.flags, io.env, job).settings;
  try {
    return resolveSettings({ ...options.flags, ...options.viewer.flagsOf(line.args) }, line.env, job).settings;
  } catch (error) {
    // A flag value cronwrap refuses: the line never runs; told through the other channels.
    if (!(error instanceof UsageError)) throw error;
    if (options.json || io.stdoutIsTTY) warn(io.stderr, `${watched.source}: ${error.message}`);
    return resolveSettings(options.flags, line.env, job).settings;
  }
}

/**
 * `cronwrap check`: finds every job whose scheduled start passed, with its grace, and no run recorded;
 * tells each through the job's own channels once per episode (its next good run tells the recovery).
 * Exits 1 while any job is missed. Meant to run from cron every few minutes, or a systemd timer: then
 * stdout carries only the episodes told this time, so cron's own mail also comes once per episode; at a
 * terminal it shows every job.
 */
export async function runCheck(options: CheckOptions, stateDir: string, io: Io): Promise<number> {
  const now = new Date(io.now());
  const schedule = loadSchedule();
  const checked: CheckedJob[] = [];
  /** The MISSED notices told this time: under cron, stdout carries only these, so cron mails each once. */
  const newlyMissed: string[] = [];
  const found = watchedJobs(options.root, stateDir, options.viewer, now.getTime());
  // Under cron, stdout and stderr carry only news: `cronwrap jobs` lists these lines (and exits 1).
  if (options.json || io.stdoutIsTTY) for (const line of found.refused) warn(io.stderr, line);
  // One listing of the pauses, not a read per job: a crontab may name 10,000 jobs.
  const paused = jobsWithState(stateDir, 'pauses');
  // Nor a job an Alertmanager silence names: as the last answer a run kept says (check asks no server).
  const silenced = existsSync(silenceCachePath(stateDir)) ? loadSilences().silencedByKeptAnswer(stateDir, io.host, found.jobs.map((w) => w.job), now.getTime()) : new Set<string>();
  for (const watched of found.jobs) {
    // A paused job (cronwrap pause, an Alertmanager silence) is not expected to run.
    if ((paused.has(watched.job) && activePause(stateDir, watched.job, now.getTime())) || silenced.has(watched.job)) continue;
    const due = schedule.missedStart(watched.schedule, now, watched.lastStartMs, watched.knownSinceMs, watched.timeZone, options.graceMs);
    checked.push({ job: watched.job, schedule: watched.schedule, source: watched.source, missed: due?.toISOString() ?? null, last_run: watched.lastStartMs === undefined ? null : new Date(watched.lastStartMs).toISOString() });
    if (!due) continue;
    const settings = findingSettings(watched.job, watched, options, io);
    const facts = missedFacts(watched, due, io);
    const told = await loadRemote().alertFinding({ settings, where: alertContext(io), stateDir, job: watched.job, facts }, 'missed');
    if (told.sent) newlyMissed.push(`cronwrap: job ${watched.job} MISSED on ${io.host}: ${facts.status}`);
    for (const problem of told.problems) warn(io.stderr, `${watched.job}: ${problem}`);
    for (const r of told.results) if (!r.ok) warn(io.stderr, `${watched.job}: ${r.channel} ${r.kind}: ${r.error ?? 'failed'}${r.kept ? ' (kept)' : ''}`);
  }
  for (const mark of runningRuns(stateDir, now.getTime())) {
    const settings = findingSettings(mark.job, found.jobs.find((watched) => watched.job === mark.job), options, io);
    const limit = stuckAfterMs(mark, stateDir, settings.killAfterMs);
    const runningMs = io.now() - mark.startMs;
    if (!limit || runningMs <= limit.limitMs) continue;
    const status = `still running after ${formatDuration(runningMs)} (run ${mark.run}, cronwrap pid ${mark.pid}), though ${limit.why}`;
    checked.push({ job: mark.job, schedule: '', source: 'running', missed: null, last_run: new Date(mark.startMs).toISOString(), stuck: status });
    const facts = findingFacts(mark.job, mark.run, mark.startMs, status, '(see cronwrap tail)', undefined, io);
    const told = await loadRemote().alertFinding({ settings, where: alertContext(io), stateDir, job: mark.job, facts }, 'stuck');
    if (told.sent) newlyMissed.push(`cronwrap: job ${mark.job} STUCK on ${io.host}: ${status}`);
    for (const problem of told.problems) warn(io.stderr, `${mark.job}: ${problem}`);
  }
  if (options.json) {
    printJson(io.stdout, checked);
  } else if (!io.stdoutIsTTY) {
    for (const line of newlyMissed) printLine(io.stdout, line);
  } else if (checked.length === 0) {
    print(io.stdout, 'no job with a known schedule (--schedule, or a crontab line that runs cronwrap --name ...)\n');
  } else {
    const state = (c: CheckedJob) => (c.stuck ? 'STUCK' : c.missed ? `MISSED ${localIso(Date.parse(c.missed)).slice(0, 16).replace('T', ' ')}` : 'ok');
    const rows = checked.map((c) => [c.job, c.schedule || '-', state(c), c.last_run ?? 'never', c.source]);
    print(io.stdout, textTable(['JOB', 'SCHEDULE', 'STATE', 'LAST RUN', 'FROM'], rows));
  }
  return checked.some((c) => c.missed || c.stuck) ? 1 : 0;
}

export const check = subcommand({
  name: 'check',
  summary: { synopsis: 'check [--grace DUR] [--json]', text: 'tell the runs that never happened (MISSED); exit 1 while any is' },
  description:
    "Find every job of yours whose scheduled start passed (with its grace) and no run was recorded: the crontab lines that run as you and record in this state directory, and its history. Tell each through the job's own channels (the flags on its crontab line, then these flags, the environment with its crontab's variables, the config file) as MISSED, once per episode (its next good run tells RECOVERED). Other users' lines are theirs: they run cronwrap check themselves. Exits 1 while any job is missed. Run it from cron every few minutes.",
  settings: ['stateDir', 'config', 'logDir', ...ALERT_KEYS],
  readsState: true,
  options: (program) =>
    program
      .option('--json', 'one JSON array: job, schedule, where it comes from, missed (the start that passed) and last run')
      .option('--grace <duration>', 'how late a start may be (default: a tenth of the interval, between 1m and 30m)', (value: string) => duration.parse('--grace', value))
      .option('--root <dir>', 'read the cron files under DIR instead of /', '/'),
  values: (program) => {
    const given = program.opts<{ json?: boolean; grace?: number; root?: string }>();
    return { json: given.json === true, root: given.root ?? '/', graceMs: given.grace };
  },
  run: (call, { stateDir, viewer, io }) => runCheck({ root: call.root, json: call.json, graceMs: call.graceMs, flags: call.flags, viewer }, stateDir, io),
});
