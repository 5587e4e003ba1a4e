import { localIso } from '../annotate/timestamp.js';
import { errorCode } from '../errors.js';
import type { Io } from '../io.js';
import { print } from '../output/console.js';
import { removePause, writePause } from '../state/pauses.js';
import type { JobName } from '../util/job-name.js';
import { makeDirs } from '../util/make-dirs.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSilences } from '../remote/load.js';
import { silenceCachePath } from '../state/paths.js';
import { refuseUnknownJob, type KnownJobSources } from '../jobs/known-jobs.js';
import { duration } from '../config/value-types.js';
import { jobSubcommand, type CommandContext } from './subcommand.js';

export interface PauseRequest {
  forMs: number | undefined;
  reason: string;
  silence: boolean;
}

/** How `pause` and `resume` tell a job of this host from a typo: the crontabs' root and the config's sections; `force` skips it. */
export type JobCheck = Omit<KnownJobSources, 'stateDir'> & { force: boolean };

/**
 * `cronwrap pause JOB [--for DUR] [--reason TEXT] [--silence]`: until it expires or `cronwrap resume JOB`,
 * runs of the job are skipped (exit 0, a `=== skip` record, history `paused`), or with `--silence` run
 * but alert and ping no one; `cronwrap check` does not call its runs missed. A job this host never saw
 * is refused (a typo would pause nothing while the real job runs) unless forced.
 */
export function runPause(stateDir: string, job: JobName, request: PauseRequest, check: JobCheck, io: Io): number {
  const now = io.now();
  if (!check.force) refuseUnknownJob('pause', job, { ...check, stateDir }, now);
  const until = request.forMs === undefined ? null : now + request.forMs;
  try {
    makeDirs(join(stateDir, 'pauses'), 0o700);
    writePause(stateDir, job, { since: now, until, reason: request.reason, silence: request.silence, by: io.user });
  } catch (error) {
    print(io.stderr, `cronwrap: cannot pause ${job}: ${errorCode(error)} in ${stateDir}\n`);
    return 1;
  }
  const when = until === null ? 'until cronwrap resume' : `until ${localIso(until)}`;
  const what = request.silence ? 'its runs go on but alert no one' : 'its runs are skipped';
  print(io.stdout, `paused ${job} ${when}: ${what}\n`);
  return 0;
}

/** `cronwrap resume JOB`: ends a pause (saying so when there was none in force); a job this host never saw is refused unless forced. */
export function runResume(stateDir: string, job: JobName, check: JobCheck, io: Io): number {
  if (!check.force) refuseUnknownJob('resume', job, { ...check, stateDir }, io.now());
  try {
    print(io.stdout, removePause(stateDir, job, io.now()) ? `resumed ${job}\n` : `${job} was not paused${silencedHint(stateDir, job, io)}\n`);
    return 0;
  } catch (error) {
    print(io.stderr, `cronwrap: cannot resume ${job}: ${errorCode(error)} in ${stateDir}\n`);
    return 1;
  }
}

/** A job resume cannot resume may be held by an Alertmanager silence (as the answer a run kept says): where to end that. */
function silencedHint(stateDir: string, job: JobName, io: Io): string {
  if (!existsSync(silenceCachePath(stateDir))) return '';
  const held = loadSilences().silencedByKeptAnswer(stateDir, io.host, [job], io.now()).has(job);
  return held ? ` by cronwrap pause; an Alertmanager silence names it (amtool silence query cron_job=${job}; amtool silence expire ID)` : '';
}

/** How pause and resume tell a typo from a job: --force, --root and the config's sections. */
function jobCheck(call: { force: boolean; root: string }, { resolved, viewer }: CommandContext): JobCheck {
  return { force: call.force, root: call.root, configJobs: resolved.configJobs, viewer };
}

export const pause = jobSubcommand({
  name: 'pause',
  summary: { synopsis: 'pause <job> [--for DUR]', text: "skip the job's runs (or --silence: run, alert no one); resume <job> ends it" },
  description: "Pause a job for maintenance: its runs are skipped (exit 0, logged, history 'paused') until the pause expires or cronwrap resume; cronwrap check does not call them missed.",
  settings: ['stateDir', 'config'],
  readsState: true,
  options: (program) =>
    program
      .option('--for <duration>', 'end the pause by itself after DURATION (default: until cronwrap resume)', (value: string) => duration.parse('--for', value))
      .option('--reason <text>', 'why, shown in the log, status and the live view')
      .option('--silence', 'let the runs go on, but alert and ping no one')
      .option('--force', 'pause a job this host has not seen yet (no run, no state, no crontab line, no [jobs.NAME] section): without it, such a name is refused as a typo')
      .option('--root <dir>', 'read the cron files under DIR instead of / to know the jobs', '/'),
  values: (program) => {
    const given = program.opts<{ for?: number; reason?: string; silence?: boolean; force?: boolean; root?: string }>();
    return { forMs: given.for, reason: given.reason ?? '', silence: given.silence === true, force: given.force === true, root: given.root ?? '/' };
  },
  run: (call, context) => runPause(context.stateDir, call.job, { forMs: call.forMs, reason: call.reason, silence: call.silence }, jobCheck(call, context), context.io),
});

export const resume = jobSubcommand({
  name: 'resume',
  description: 'End a pause (cronwrap pause): the next run goes on as usual.',
  settings: ['stateDir', 'config'],
  readsState: true,
  options: (program) =>
    program
      .option('--force', 'resume a job this host has not seen (without it, such a name is refused as a typo)')
      .option('--root <dir>', 'read the cron files under DIR instead of / to know the jobs', '/'),
  values: (program) => {
    const given = program.opts<{ force?: boolean; root?: string }>();
    return { force: given.force === true, root: given.root ?? '/' };
  },
  run: (call, context) => runResume(context.stateDir, call.job, jobCheck(call, context), context.io),
});
