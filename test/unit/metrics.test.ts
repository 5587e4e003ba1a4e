import { describe, expect, it } from 'vitest';
import { escapeLabel, fleetExpectLabel, renderMetrics } from '../../src/fleet/metrics.js';
import { pushUrl } from '../../src/fleet/pushgateway.js';

describe('Prometheus text format', () => {
  it('escapes label values: backslash, double quote, newline', () => {
    expect(escapeLabel('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });

  it('renders HELP and TYPE for each family, a cron_job label, and no sample for what never happened', () => {
    const text = renderMetrics('we"ird', {
      firstStart: null,
      lastStart: 10,
      lastEnd: 12.5,
      lastSuccess: null,
      lastExitCode: 1,
      lastDurationSeconds: 2.5,
      runsTotal: 3,
      failuresTotal: 3,
      lastFailed: 1,
      warningsTotal: 0,
      healsOk: 2,
      healsFailed: 1,
      running: false,
      nextRunDeadline: null,
    });
    expect(text).toContain('# HELP cronwrap_runs_total ');
    expect(text).toContain('# TYPE cronwrap_runs_total counter\ncronwrap_runs_total{cron_job="we\\"ird"} 3\n');
    expect(text).toContain('# TYPE cronwrap_last_exit_code gauge\ncronwrap_last_exit_code{cron_job="we\\"ird"} 1\n');
    expect(text).toContain('cronwrap_running{cron_job="we\\"ird"} 0\n');
    expect(text).not.toContain('cronwrap_last_success_timestamp_seconds');
    expect(text).not.toMatch(/[{,]job=/);
    // One family, two results: HELP and TYPE once, a sample per result.
    expect(text).toContain('# TYPE cronwrap_heals_total counter\ncronwrap_heals_total{cron_job="we\\"ird",result="ok"} 2\ncronwrap_heals_total{cron_job="we\\"ird",result="failed"} 1\n');
    expect(text.match(/# HELP cronwrap_heals_total/g)).toHaveLength(1);
    expect(text).toContain('cronwrap_last_run_failed{cron_job="we\\"ird"} 1\n');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('a job that never succeeded has a success series from its first run, so "not succeeding" rules fire', () => {
    const text = renderMetrics('new', { firstStart: 1000, lastStart: 5000, lastEnd: 5001, lastSuccess: null, lastExitCode: 1, lastDurationSeconds: 1, runsTotal: 2, failuresTotal: 2, lastFailed: 1, warningsTotal: 0, healsOk: 0, healsFailed: 0, running: false, nextRunDeadline: null });
    expect(text).toContain('cronwrap_last_success_timestamp_seconds{cron_job="new"} 1000\n');
    expect(text).not.toContain('cronwrap_next_run_deadline_timestamp_seconds'); // no schedule known: no series
  });

  it('a fleet group labels every series, a one/N group says how many hosts it expects, a known schedule its interval', () => {
    const figures = { firstStart: 1000, lastStart: 5000, lastEnd: 5001, lastSuccess: 5001, lastExitCode: 0, lastDurationSeconds: 1, runsTotal: 2, failuresTotal: 0, lastFailed: 0, warningsTotal: 0, healsOk: 0, healsFailed: 0, running: false, nextRunDeadline: 6000 };
    const text = renderMetrics('rotate', figures, { fleet: { group: 'ops', expect: 1 }, intervalSeconds: 300 });
    const samples = text.split('\n').filter((line) => line.startsWith('cronwrap_'));
    for (const line of samples) expect(line).toMatch(/^cronwrap_\w+\{cron_job="rotate",fleet_group="ops",fleet_expect="one"[,}]/);
    expect(text).toContain('cronwrap_heals_total{cron_job="rotate",fleet_group="ops",fleet_expect="one",result="ok"} 0\n');
    expect(text).toContain('# TYPE cronwrap_schedule_interval_seconds gauge\ncronwrap_schedule_interval_seconds{cron_job="rotate",fleet_group="ops",fleet_expect="one"} 300\n');
    expect(text).toContain('# TYPE cronwrap_fleet_expected_hosts gauge\ncronwrap_fleet_expected_hosts{cron_job="rotate",fleet_group="ops",fleet_expect="one"} 1\n');
    // `all` expects no number; no group, no fleet label; no extras, the figures alone.
    expect(renderMetrics('nightly', figures, { fleet: { group: 'web', expect: 'all' } })).not.toContain('cronwrap_fleet_expected_hosts');
    expect(renderMetrics('nightly', figures, { intervalSeconds: 60 })).not.toContain('fleet_');
    expect(renderMetrics('nightly', figures)).toBe(renderMetrics('nightly', figures, {}));
    expect(renderMetrics('nightly', figures)).not.toContain('cronwrap_schedule_interval_seconds');
    expect([fleetExpectLabel('all'), fleetExpectLabel(1), fleetExpectLabel(3)]).toEqual(['all', 'one', '3']);
  });

  it('groups pushed metrics by job and instance', () => {
    expect(pushUrl('http://pg:9091/', 'backup', 'db1')).toBe('http://pg:9091/metrics/job/backup/instance/db1');
    expect(pushUrl('https://u:p@pg.example/prefix/?token=t', 'a b', 'db1')).toBe('https://u:p@pg.example/prefix/metrics/job/a%20b/instance/db1?token=t');
  });
});
