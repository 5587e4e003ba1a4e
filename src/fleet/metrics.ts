import { join } from 'node:path';
import { replaceFile } from '../state/atomic-file.js';
import { readJobState, writeJobState, type ReadState } from '../state/job-state.js';
import type { FleetExpect } from '../config/value-types.js';
import { isBoolean, isNumber, nullable, shape } from '../util/check.js';
import type { JobName } from '../util/job-name.js';

/** What the metrics of a job say, as kept between runs in `<state>/metrics/<job>.json`. */
export interface JobMetrics {
  /** When cronwrap first ran the job: the success time until there is one (absent in older files). */
  firstStart: number | null;
  lastStart: number | null;
  lastEnd: number | null;
  lastSuccess: number | null;
  lastExitCode: number | null;
  lastDurationSeconds: number | null;
  runsTotal: number;
  failuresTotal: number;
  /** 1 when the last run counted as failed (after --ok-exit, --warn-exit, --stderr-fails and healing). */
  lastFailed: number | null;
  /** Runs that were warnings: a --warn-exit status, a failure a heal fixed, an odd duration. */
  warningsTotal: number;
  /** `--on-failure` heals that exited 0, and those that did not. */
  healsOk: number;
  healsFailed: number;
  running: boolean;
  /** The latest time the next run should start (the schedule's next start plus a grace), when the schedule is known. */
  nextRunDeadline: number | null;
}

const EMPTY: JobMetrics = {
  firstStart: null,
  lastStart: null,
  lastEnd: null,
  lastSuccess: null,
  lastExitCode: null,
  lastDurationSeconds: null,
  runsTotal: 0,
  failuresTotal: 0,
  lastFailed: null,
  warningsTotal: 0,
  healsOk: 0,
  healsFailed: 0,
  running: false,
  nextRunDeadline: null,
};

/** A label value in the Prometheus text format: backslash, double quote and newline escaped. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A series: the field it shows, its family, type, help, and a label of its own when the family has several. */
type Series = [keyof JobMetrics, string, 'gauge' | 'counter', string, string?];

const HEALS_HELP = 'Heals (--on-failure) of the job, by result: ok (the heal exited 0) or failed.';

const SERIES: Series[] = [
  ['lastStart', 'cronwrap_last_start_timestamp_seconds', 'gauge', 'When the last run of the job started (Unix time).'],
  ['lastEnd', 'cronwrap_last_end_timestamp_seconds', 'gauge', 'When the last run of the job ended (Unix time).'],
  ['lastSuccess', 'cronwrap_last_success_timestamp_seconds', 'gauge', 'When the last successful (or warning) run of the job ended (Unix time); until one did, when cronwrap first ran it.'],
  ['lastExitCode', 'cronwrap_last_exit_code', 'gauge', "cronwrap's exit status for the last run (the command's; see cronwrap_last_run_failed for how it counted)."],
  ['lastFailed', 'cronwrap_last_run_failed', 'gauge', '1 when the last run counted as failed (after --ok-exit, --warn-exit, --stderr-fails and healing), else 0.'],
  ['lastDurationSeconds', 'cronwrap_last_duration_seconds', 'gauge', 'How long the last run took.'],
  ['runsTotal', 'cronwrap_runs_total', 'counter', 'Runs of the job that started (a run skipped for a lock is not counted).'],
  ['failuresTotal', 'cronwrap_failures_total', 'counter', 'Runs of the job that failed.'],
  ['warningsTotal', 'cronwrap_warnings_total', 'counter', 'Runs of the job that were warnings (a --warn-exit status, a healed failure, an odd duration).'],
  ['healsOk', 'cronwrap_heals_total', 'counter', HEALS_HELP, 'result="ok"'],
  ['healsFailed', 'cronwrap_heals_total', 'counter', HEALS_HELP, 'result="failed"'],
  ['running', 'cronwrap_running', 'gauge', '1 while a run of the job is in progress.'],
  ['nextRunDeadline', 'cronwrap_next_run_deadline_timestamp_seconds', 'gauge', 'The latest time the next run should start (Unix time): its next scheduled start plus a grace.'],
];

/** What a job's metrics carry beyond its figures, from this run's settings and schedule (not kept between runs). */
export interface MetricsExtras {
  /** `--fleet-group` and `--fleet-expect`: two labels on every series. */
  fleet?: { group: string; expect: FleetExpect };
  /** The schedule's shortest interval in seconds, when the schedule is known. */
  intervalSeconds?: number;
}

/** The `fleet_expect` label: `all`, `one`, or the number of hosts. */
export function fleetExpectLabel(expect: FleetExpect): string {
  return expect === 'all' ? 'all' : expect === 1 ? 'one' : String(expect);
}

/** The series that come from the extras, not the figures: [family, help, value]. */
function extraSeries({ fleet, intervalSeconds }: MetricsExtras): [string, string, number][] {
  const series: [string, string, number][] = [];
  if (intervalSeconds !== undefined) series.push(['cronwrap_schedule_interval_seconds', "The shortest time between two starts of the job's schedule (--schedule, or the crontab line that runs it).", intervalSeconds]);
  // The rules compare how many hosts ran the job with this number: PromQL cannot read a number from a label.
  if (fleet && fleet.expect !== 'all') series.push(['cronwrap_fleet_expected_hosts', 'How many hosts of the fleet group should run the job each period (--fleet-expect).', fleet.expect]);
  return series;
}

/**
 * The job's metrics in the Prometheus text exposition format (HELP and TYPE for each family), labelled
 * `cron_job`: `job` and `instance` belong to the scrape (Prometheus' guidance for exporters), and a
 * `job` label here would be renamed `exported_job` under a default node_exporter scrape. A job of a
 * fleet group carries `fleet_group` and `fleet_expect` on every series.
 */
export function renderMetrics(job: string, metrics: JobMetrics, extras: MetricsExtras = {}): string {
  const fleet = extras.fleet ? `,fleet_group="${escapeLabel(extras.fleet.group)}",fleet_expect="${fleetExpectLabel(extras.fleet.expect)}"` : '';
  const jobLabels = `cron_job="${escapeLabel(job)}"${fleet}`;
  // A job that never succeeded still has a success series, from its first run: "not succeeding for
  // 26 hours" rules then fire for it too.
  const shown: JobMetrics = { ...metrics, lastSuccess: metrics.lastSuccess ?? metrics.firstStart };
  const lines: string[] = [];
  let family = '';
  for (const [field, name, type, help, label] of SERIES) {
    const value = shown[field];
    if (value === null) continue; // never happened yet: no sample rather than a misleading 0
    if (name !== family) lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    family = name;
    lines.push(`${name}{${label ? `${jobLabels},${label}` : jobLabels}} ${typeof value === 'boolean' ? Number(value) : value}`);
  }
  for (const [name, help, value] of extraSeries(extras)) lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name}{${jobLabels}} ${value}`);
  return `${lines.join('\n')}\n`;
}

const isJobMetrics = shape<JobMetrics>({
  firstStart: nullable(isNumber),
  lastStart: nullable(isNumber),
  lastEnd: nullable(isNumber),
  lastSuccess: nullable(isNumber),
  lastExitCode: nullable(isNumber),
  lastDurationSeconds: nullable(isNumber),
  runsTotal: isNumber,
  failuresTotal: isNumber,
  lastFailed: nullable(isNumber),
  warningsTotal: isNumber,
  healsOk: isNumber,
  healsFailed: isNumber,
  running: isBoolean,
  nextRunDeadline: nullable(isNumber),
});

export function readJobMetrics(stateDir: string, job: JobName, now: number): ReadState<JobMetrics> {
  return readJobState(stateDir, 'metrics', job, EMPTY, isJobMetrics, now);
}

/**
 * Records the metrics and, with `--metrics-dir`, writes `cronwrap_<job>.prom` for node_exporter's
 * textfile collector: atomically, so a scrape never reads half a file.
 */
export function saveJobMetrics(stateDir: string, metricsDir: string | undefined, job: JobName, metrics: JobMetrics, extras: MetricsExtras): void {
  writeJobState(stateDir, 'metrics', job, metrics);
  // The temp file ends in .tmp, not .prom, so the collector never picks it up half written.
  if (metricsDir) replaceFile(join(metricsDir, `cronwrap_${job}.prom`), renderMetrics(job, metrics, extras), 0o644, 0o755);
}
