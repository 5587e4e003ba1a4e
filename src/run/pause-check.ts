import { fleetOf } from '../config/fleet-group.js';
import type { Settings } from '../config/options.js';
import { errorCode } from '../errors.js';
import type { Silence } from '../fleet/silences.js';
import type { Io } from '../io.js';
import type { Interruptions } from '../process/interruptions.js';
import { loadSilences } from '../remote/load.js';
import { activePause, type Pause } from '../state/pauses.js';
import type { JobName } from '../util/job-name.js';
import type { PauseCheck, RunPause } from './run-values.js';

/** `paused until 2026-11-23T14:00:00.000Z by root: disk swap (cronwrap resume)` */
function pauseText(pause: Pause): string {
  const until = pause.until === null ? 'until resumed' : `until ${new Date(pause.until).toISOString()}`;
  return `paused ${until} by ${pause.by}${pause.reason ? `: ${pause.reason}` : ''} (cronwrap resume)`;
}

/** A comment longer than this is cut in the footer and history: the silence itself holds it whole. */
const COMMENT_CHARS = 200;

/**
 * `Alertmanager silence 6f1c… by alice until 2026-11-23T14:00:00.000Z: skip: disk swap (amtool silence expire 6f1c…)`,
 * and, from an answer a run kept, when Alertmanager gave it: a silence expired since still holds until it is asked again.
 */
function silenceText({ id, createdBy, endsAt, comment }: Silence, keptFrom: number | undefined, cacheMs: number): string {
  const cut = comment.length > COMMENT_CHARS ? `${comment.slice(0, COMMENT_CHARS)}…` : comment;
  const kept = keptFrom === undefined ? '' : `; as Alertmanager answered at ${new Date(keptFrom).toISOString()}, kept ${cacheMs / 1000}s (--alertmanager-cache)`;
  return `Alertmanager silence ${id} by ${createdBy} until ${new Date(endsAt).toISOString()}${cut ? `: ${cut}` : ''} (amtool silence expire ${id}${kept})`;
}

/**
 * The run's first step: is the job paused? `cronwrap pause JOB` on this host, then (with --alertmanager-url)
 * an active Alertmanager silence that names the job, asked of dist/silences.cjs only then. A silence whose
 * comment starts with `skip:` stops the run; any other quiets it. Asked before the observers are made, for
 * a paused run has no alerts, pings, report or heal. Alertmanager unreachable, slow or answering nonsense:
 * no silence, and the problem for the footer and history only: a monitoring outage must not make cron mail
 * every run of every job.
 */
export async function checkPause(settings: Settings, stateDir: string, job: JobName, io: Io, interruptions: Interruptions): Promise<PauseCheck> {
  const local = activePause(stateDir, job, io.now());
  const here: RunPause | undefined = local && { skip: !local.silence, reason: pauseText(local) };
  if (here?.skip || !settings.alertmanagerUrl) return here ? { pause: here } : {};
  const question = { url: settings.alertmanagerUrl, stateDir, job, host: io.host, fleet: fleetOf(settings), now: io.now(), cacheMs: settings.alertmanagerCacheMs, stop: interruptions.stopAfter(0) };
  // The job's exit status is never cronwrap's to lose: even a failure to load the remote code is only a problem.
  const verdict = await loadSilences()
    .askSilences(question)
    .catch((error: unknown) => ({ found: undefined, problems: [`cannot ask Alertmanager: ${errorCode(error)}`] }));
  const problem = verdict.problems.length > 0 ? verdict.problems.join('; ') : undefined;
  const found = verdict.found && { skip: verdict.found.skip, reason: silenceText(verdict.found.silence, verdict.keptFrom, settings.alertmanagerCacheMs) };
  // A silence that says skip stops the run even when this host only quiets it; else this host's pause says why.
  const pause = found?.skip ? found : (here ?? found);
  return { ...(pause ? { pause } : {}), ...(problem ? { problem } : {}) };
}
