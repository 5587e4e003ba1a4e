import { statSync } from 'node:fs';
import { join } from 'node:path';
import { localIso } from '../annotate/timestamp.js';
import { cronwrapUse } from '../config/cronwrap-use.js';
import { resolveSettings, type GivenFlags } from '../config/resolve.js';
import { readCronTree } from '../cron/sources.js';
import type { Io } from '../io.js';
import type { NoticeFacts } from '../notify/index.js';
import { resolveChannels } from '../observers/alert-channels.js';
import { print, warn } from '../output/console.js';
import { loadRemote, loadSchedule } from '../remote/load.js';
import { historyJobs, readHistory } from '../state/history.js';
import { newRunId } from '../util/run-id.js';
import { textTable } from './text-table.js';

/** What `cronwrap check` knows of a job: its schedule, since when, and its last run. */
export interface WatchedJob {
  job: string;
  schedule: string;
  timeZone: string | undefined;
  /** Where the schedule comes from: `file:line` of the crontab, or the job's history. */
  source: string;
  command: string | undefined;
  /** Since when the job is known to be scheduled (ms): the crontab file's change, or its first recorded run. */
  knownSinceMs: number;
  lastStartMs: number | undefined;
  log: string | undefined;
}

/** One job's verdict. */
export interface CheckedJob {
  job: string;
  schedule: string;
  source: string;
  /** The scheduled start that passed with no run, if one did. */
  missed: string | null;
  last_run: string | null;
}

/**
 * Every job with a known schedule: the crontab lines that run a job under cronwrap (the schedule there
 * wins: it is what cron does now), and the jobs of the history whose last run recorded its schedule.
 */
export function watchedJobs(root: string, stateDir: string): WatchedJob[] {
  const jobs = new Map<string, WatchedJob>();
  for (const job of historyJobs(stateDir)) {
    const runs = readHistory(stateDir, job);
    const last = runs.at(-1);
    if (!last?.schedule) continue;
    const first = Date.parse(runs[0]!.start);
    jobs.set(job, { job, schedule: last.schedule, timeZone: last.time_zone, source: 'history', command: undefined, knownSinceMs: first, lastStartMs: Date.parse(last.start), log: last.log });
  }
  for (const entry of readCronTree(root).entries) {
    const use = cronwrapUse(entry.command);
    if (!use || !('job' in use)) continue;
    const known = jobs.get(use.job);
    let changed = 0;
    try {
      changed = statSync(join(root, entry.file)).mtimeMs;
    } catch {
      // read a moment ago; gone now: count it as known from the start
    }
    jobs.set(use.job, {
      job: use.job,
      schedule: entry.schedule,
      timeZone: entry.env.CRON_TZ,
      source: `${entry.file}:${entry.line}`,
      command: entry.command,
      knownSinceMs: Math.min(changed, known?.knownSinceMs ?? Infinity),
      lastStartMs: known?.lastStartMs,
      log: known?.log,
    });
  }
  return [...jobs.values()].sort((a, b) => a.job.localeCompare(b.job));
}

/** The facts a MISSED notice carries: no run, so no output; the status says what was due and when. */
function missedFacts(watched: WatchedJob, due: Date, io: Io): NoticeFacts {
  const last = watched.lastStartMs === undefined ? 'no run recorded' : `last run started ${localIso(watched.lastStartMs)}`;
  const zone = watched.timeZone ? ` in ${watched.timeZone}` : '';
  return {
    job: watched.job,
    host: io.host,
    user: io.user,
    run: newRunId(),
    command: watched.command ? [watched.command] : [],
    start: due.toISOString(),
    end: new Date(io.now()).toISOString(),
    durationMs: 0,
    exitCode: 0,
    status: `did not start at ${localIso(due.getTime())} (schedule '${watched.schedule}'${zone}, from ${watched.source}); ${last}`,
    signal: null,
    timedOut: false,
    attempts: 0,
    logPath: watched.log ?? '(no run yet)',
    head: [],
    tail: [],
    totalLines: 0,
  };
}

export interface CheckOptions {
  root: string;
  json: boolean;
  graceMs: number | undefined;
  flags: GivenFlags;
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
  for (const watched of watchedJobs(options.root, stateDir)) {
    const due = schedule.missedStart(watched.schedule, now, watched.lastStartMs, watched.knownSinceMs, watched.timeZone, options.graceMs);
    checked.push({ job: watched.job, schedule: watched.schedule, source: watched.source, missed: due?.toISOString() ?? null, last_run: watched.lastStartMs === undefined ? null : new Date(watched.lastStartMs).toISOString() });
    if (!due) continue;
    // The job's own channels and policy: its section of the config file, this command's flags and environment.
    const { settings } = resolveSettings(options.flags, io.env, watched.job);
    const channels = resolveChannels(settings, io.host, watched.job);
    const facts = missedFacts(watched, due, io);
    const told = await loadRemote().alertMissed({ channels, stateDir, facts });
    if (told.sent) newlyMissed.push(`cronwrap: job ${watched.job} MISSED on ${io.host}: ${facts.status}\n`);
    for (const problem of told.problems) warn(io.stderr, `${watched.job}: ${problem}`);
    for (const r of told.results) if (!r.ok) warn(io.stderr, `${watched.job}: ${r.channel} ${r.kind}: ${r.error ?? 'failed'}${r.kept ? ' (kept)' : ''}`);
  }
  if (options.json) {
    print(io.stdout, `${JSON.stringify(checked, null, 2)}\n`);
  } else if (!io.stdoutIsTTY) {
    for (const line of newlyMissed) print(io.stdout, line);
  } else if (checked.length === 0) {
    print(io.stdout, 'no job with a known schedule (--schedule, or a crontab line that runs cronwrap --name ...)\n');
  } else {
    const rows = checked.map((c) => [c.job, c.schedule, c.missed ? `MISSED ${localIso(Date.parse(c.missed)).slice(0, 16).replace('T', ' ')}` : 'ok', c.last_run ?? 'never', c.source]);
    print(io.stdout, textTable(['JOB', 'SCHEDULE', 'STATE', 'LAST RUN', 'FROM'], rows));
  }
  return checked.some((c) => c.missed) ? 1 : 0;
}
