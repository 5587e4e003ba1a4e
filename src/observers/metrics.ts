import { fleetOf } from '../config/fleet-group.js';
import type { Settings } from '../config/options.js';
import { errorCode } from '../errors.js';
import { readJobMetrics, renderMetrics, saveJobMetrics, type JobMetrics, type MetricsExtras } from '../fleet/metrics.js';
import type { Io } from '../io.js';
import { HTTP_TIMEOUT_MS } from '../net/http.js';
import { NOTIFY_BUDGET_MS } from '../notify/channels.js';
import { loadRemote, loadSchedule } from '../remote/load.js';
import type { JobSchedule } from '../config/job-schedule.js';
import { metricsAfterRun, metricsWhileRunning } from '../report/metrics.js';
import type { Observer } from '../run/events.js';
import { monotonicMs } from '../util/monotonic.js';
import type { JobName } from '../util/job-name.js';

/**
 * When the next run should have started, in Unix seconds, from the job's schedule (`--schedule`, else
 * the crontab line that runs it); undefined when neither says (or @reboot).
 */
function nextRunDeadline(found: JobSchedule | undefined, startMs: number): number | undefined {
  const deadline = found && loadSchedule().deadlineAfter(found.schedule, new Date(startMs), found.timeZone);
  return deadline ? deadline.getTime() / 1000 : undefined;
}

/** The fleet labels and the schedule's interval the job's metrics carry. */
function metricsExtras(settings: Settings, found: JobSchedule | undefined): MetricsExtras {
  const intervalMs = found && loadSchedule().shortestInterval(found.schedule);
  const fleet = fleetOf(settings);
  return {
    ...(fleet ? { fleet } : {}),
    ...(intervalMs ? { intervalSeconds: intervalMs / 1000 } : {}),
  };
}

/**
 * `--metrics-dir` / `--metrics-push`: marks the job running (cronwrap_running 1) as it starts, and
 * updates every figure when it ends. A run skipped for a lock leaves the metrics as they were.
 */
export function metricsObserver(settings: Settings, io: Io, stateDir: string, job: JobName, scheduleOf: () => JobSchedule | undefined): Observer | undefined {
  const { metricsDir, metricsPush } = settings;
  if (!metricsDir && !metricsPush) return undefined;
  // The schedule is read once (a crontab scan), when the run is ready: the start's metrics carry its interval too.
  let found: { schedule: JobSchedule | undefined; extras: MetricsExtras } | undefined;
  const known = () => {
    if (!found) {
      const schedule = scheduleOf();
      found = { schedule, extras: metricsExtras(settings, schedule) };
    }
    return found;
  };
  /** Writes (and pushes) the metrics; resolves to what went wrong. */
  const save = async (metrics: JobMetrics, deadline: number, stop?: AbortSignal): Promise<string[]> => {
    const problems: string[] = [];
    const { extras } = known();
    try {
      saveJobMetrics(stateDir, metricsDir, job, metrics, extras);
    } catch (error) {
      problems.push(`cannot write metrics: ${errorCode(error)}`);
    }
    if (!metricsPush) return problems;
    const budget = { deadline, now: monotonicMs, wallNow: io.now, ...(stop ? { stop } : {}) };
    const pushed = await loadRemote().pushMetrics(metricsPush, job, io.host, renderMetrics(job, metrics, extras), budget);
    return pushed.ok ? problems : [...problems, `cannot push metrics: ${pushed.error ?? 'failed'}`];
  };
  let started: { before: JobMetrics; at: number; saved: Promise<string[]> } | undefined;
  return {
    stage: 'metrics',
    on(event) {
      if (event.type !== 'ready') return;
      const now = io.now();
      const { state: before, problem } = readJobMetrics(stateDir, job, now);
      const at = now / 1000;
      // The run has started: the deadline moves on to the next start now, or a run longer than its grace
      // would read as a missed one (CronJobMissed, CronFleetSingletonNotRun) until it ends.
      const saved = save(metricsWhileRunning(before, at, nextRunDeadline(known().schedule, now)), monotonicMs() + 2 * HTTP_TIMEOUT_MS);
      started = { before, at, saved: problem ? saved.then((problems) => [problem, ...problems]) : saved };
    },
    async end({ summary, stop }) {
      if (!started) return undefined;
      const deadline = nextRunDeadline(known().schedule, summary.startMs);
      // The push shares the minute after the job with the alerts and pings: all a run sends ends within it.
      const jobEnded = summary.startMonoMs + summary.waitedMs + summary.durationMs;
      const pushBy = Math.min(monotonicMs() + 2 * HTTP_TIMEOUT_MS, jobEnded + NOTIFY_BUDGET_MS);
      const problems = [...(await started.saved), ...(await save(metricsAfterRun(started.before, started.at, summary, deadline), pushBy, stop))];
      // The start's push and the end's often fail alike: each reason once.
      return problems.length > 0 ? { problem: [...new Set(problems)].join('; ') } : undefined;
    },
  };
}
