import type { Settings } from '../cli/options.js';
import { readJobMetrics, renderMetrics, saveJobMetrics, type JobMetrics } from '../fleet/metrics.js';
import type { Io } from '../io.js';
import { monotonicMs } from '../monotonic.js';
import { errorCode } from '../output/fd-writer.js';
import { loadRemote } from '../remote/load.js';

export interface MetricsRun {
  /** Writes (and pushes) the end of the run; returns a problem to report, if any. */
  finish(exitCode: number, durationMs: number): Promise<string | undefined>;
}

/**
 * `--metrics-dir` / `--metrics-push`: marks the job running (cronwrap_running 1) as it starts, and
 * updates every figure when it ends. Metrics never change the exit status; problems are reported.
 */
export function startMetrics(settings: Settings, stateDir: string, job: string, io: Io): MetricsRun {
  const problems: string[] = [];
  const save = (metrics: JobMetrics): Promise<unknown> => {
    try {
      saveJobMetrics(stateDir, settings.metricsDir, job, metrics);
    } catch (error) {
      problems.push(`cannot write metrics: ${errorCode(error)}`);
    }
    if (!settings.metricsPush) return Promise.resolve();
    return loadRemote()
      .pushMetrics(settings.metricsPush, job, io.host, renderMetrics(job, metrics), monotonicMs() + 20_000, monotonicMs)
      .then((delivery) => delivery.ok || problems.push(`cannot push metrics: ${delivery.error ?? 'failed'}`));
  };
  const metrics = readJobMetrics(stateDir, job);
  const startedAt = io.now() / 1000;
  const started = save({ ...metrics, running: true, lastStart: startedAt });
  return {
    async finish(exitCode, durationMs) {
      await started;
      const end = io.now() / 1000;
      await save({
        ...metrics,
        running: false,
        lastStart: startedAt,
        lastEnd: end,
        lastExitCode: exitCode,
        lastDurationSeconds: durationMs / 1000,
        lastSuccess: exitCode === 0 ? end : metrics.lastSuccess,
        runsTotal: metrics.runsTotal + 1,
        failuresTotal: metrics.failuresTotal + (exitCode === 0 ? 0 : 1),
      });
      return problems.length > 0 ? problems.join('; ') : undefined;
    },
  };
}
