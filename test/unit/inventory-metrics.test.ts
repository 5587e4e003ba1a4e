import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { renderInventory, type InventoryLabels, type InventoryMetrics } from '../../src/fleet/inventory-metrics.js';

const brett: InventoryLabels = { cron_job: 'brett.sh', user: 'root', schedule: '* * * * *', source: 'cron.d', kind: 'local', wrapped: false };

function metrics(jobs: InventoryMetrics['jobs']): InventoryMetrics {
  return { jobs, problemLines: { rejected: 2, ignored: 5, refused_name: 1 }, neverFiringTimers: 3, timestampSeconds: 1_700_000_000.5 };
}

/** The samples of one family, as lines. */
const samples = (text: string, name: string) => text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

const hasPromtool = spawnSync('sh', ['-c', 'command -v promtool']).status === 0 || Boolean(process.env.CI);

describe('the inventory in the Prometheus text format', () => {
  it('one sample per job, its labels in the contract order, its interval beside it; the counts and the time', () => {
    const text = renderInventory(metrics([{ labels: brett, intervalSeconds: 60 }, { labels: { ...brett, cron_job: 'backup', schedule: '@reboot', wrapped: true }, intervalSeconds: null }]));
    expect(samples(text, 'cronwrap_job_info')).toEqual([
      'cronwrap_job_info{cron_job="brett.sh",user="root",schedule="* * * * *",source="cron.d",kind="local",wrapped="false"} 1',
      'cronwrap_job_info{cron_job="backup",user="root",schedule="@reboot",source="cron.d",kind="local",wrapped="true"} 1',
    ]);
    // @reboot has no interval: no sample rather than a made-up one.
    expect(samples(text, 'cronwrap_job_interval_seconds')).toEqual(['cronwrap_job_interval_seconds{cron_job="brett.sh",user="root",schedule="* * * * *",source="cron.d",kind="local",wrapped="false"} 60']);
    expect(samples(text, 'cronwrap_crontab_problem_lines')).toEqual([
      'cronwrap_crontab_problem_lines{problem="rejected"} 2',
      'cronwrap_crontab_problem_lines{problem="ignored"} 5',
      'cronwrap_crontab_problem_lines{problem="refused_name"} 1',
    ]);
    expect(samples(text, 'cronwrap_never_firing_timers')).toEqual(['cronwrap_never_firing_timers 3']);
    expect(samples(text, 'cronwrap_inventory_timestamp_seconds')).toEqual(['cronwrap_inventory_timestamp_seconds 1700000000.5']);
    for (const family of ['cronwrap_job_info', 'cronwrap_job_interval_seconds', 'cronwrap_crontab_problem_lines', 'cronwrap_never_firing_timers', 'cronwrap_inventory_timestamp_seconds']) {
      expect(text).toMatch(new RegExp(`^# HELP ${family} .+\\n# TYPE ${family} gauge$`, 'm'));
    }
  });

  it('jobs with the same labels are one sample, counted, with the shortest interval: never two samples of one series', () => {
    const text = renderInventory(metrics([{ labels: brett, intervalSeconds: 60 }, { labels: { ...brett }, intervalSeconds: null }, { labels: { ...brett }, intervalSeconds: 30 }, { labels: { ...brett, user: 'www-data' }, intervalSeconds: 60 }]));
    expect(samples(text, 'cronwrap_job_info')).toEqual([
      'cronwrap_job_info{cron_job="brett.sh",user="root",schedule="* * * * *",source="cron.d",kind="local",wrapped="false"} 3',
      'cronwrap_job_info{cron_job="brett.sh",user="www-data",schedule="* * * * *",source="cron.d",kind="local",wrapped="false"} 1',
    ]);
    expect(samples(text, 'cronwrap_job_interval_seconds').map((line) => line.split(' ').at(-1))).toEqual(['30', '60']);
  });

  it('escapes what a crontab may hold in a label value: backslash, double quote, newline', () => {
    const text = renderInventory(metrics([{ labels: { ...brett, cron_job: 'we"ird\\job', user: 'a\nb', schedule: 'OnCalendar=Mon "x"' }, intervalSeconds: null }]));
    expect(samples(text, 'cronwrap_job_info')).toEqual(['cronwrap_job_info{cron_job="we\\"ird\\\\job",user="a\\nb",schedule="OnCalendar=Mon \\"x\\"",source="cron.d",kind="local",wrapped="false"} 1']);
  });

  (hasPromtool ? it : it.skip)('promtool check metrics finds nothing to say of it (needs promtool), with no job as with several', () => {
    const escaped = { ...brett, cron_job: 'we"ird\\job', schedule: 'a\nb' };
    for (const jobs of [[], [{ labels: brett, intervalSeconds: 60 }, { labels: brett, intervalSeconds: 60 }, { labels: escaped, intervalSeconds: null }]]) {
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: renderInventory(metrics(jobs)), encoding: 'utf8' });
      expect(lint.status, lint.stdout + lint.stderr).toBe(0);
      expect(lint.stdout + lint.stderr).toBe('');
    }
  });
});
