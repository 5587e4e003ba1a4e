import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LABEL_MAX_CHARS, USER_SERIES_MAX, renderInventory, type InventoryLabels, type InventoryMetrics } from '../../src/fleet/inventory-metrics.js';

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

  it(`a label value from a crontab is cut to ${LABEL_MAX_CHARS} characters, ending in …; a character is never halved`, () => {
    const minutes = `${'0,'.repeat(4000)}5 3 * * *`; // 8 KB of minute list: crontab(1) takes it from any user
    const text = renderInventory(metrics([{ labels: { ...brett, schedule: minutes, cron_job: `${'é'.repeat(63)}😀x`, user: 'u'.repeat(200) }, intervalSeconds: 60 }]));
    const [info] = samples(text, 'cronwrap_job_info');
    const values = [...info!.matchAll(/="([^"]*)"/g)].map((match) => match[1]!);
    expect(values.slice(0, 3)).toEqual([`${'é'.repeat(63)}…`, `${'u'.repeat(63)}…`, `${'0,'.repeat(31)}0…`]);
    for (const value of values) expect(Array.from(value).length).toBeLessThanOrEqual(LABEL_MAX_CHARS);
    // Exactly the limit is kept whole.
    const whole = 'x'.repeat(LABEL_MAX_CHARS);
    expect(samples(renderInventory(metrics([{ labels: { ...brett, cron_job: whole }, intervalSeconds: null }])), 'cronwrap_job_info')[0]).toContain(`cron_job="${whole}"`);
  });

  it(`a user's spool crontab gets ${USER_SERIES_MAX} label sets at most, the rest counted by user; root's files and other users are not held back by it`, () => {
    const lines = (user: string, count: number, source = 'user') => Array.from({ length: count }, (_, i) => ({ labels: { ...brett, user, source, schedule: `${i % 60} ${Math.floor(i / 60)} * * *` }, intervalSeconds: 86_400 }));
    const jobs = [...lines('mallory', 10_000), ...lines('mallory', 5), ...lines('alice', 3), ...lines('root', 150), ...lines('root', 150, 'cron.d').map((job) => ({ ...job, labels: { ...job.labels, cron_job: 'other' } }))];
    const text = renderInventory(metrics(jobs));
    const info = samples(text, 'cronwrap_job_info');
    const of = (user: string, source: string) => info.filter((line) => line.includes(`user="${user}"`) && line.includes(`source="${source}"`));
    expect(of('mallory', 'user')).toHaveLength(USER_SERIES_MAX);
    // The 5 repeated lines have labels already kept: counted in their series, not capped.
    expect(of('mallory', 'user').filter((line) => line.endsWith(' 2'))).toHaveLength(5);
    expect(of('alice', 'user')).toHaveLength(3);
    expect(of('root', 'user')).toHaveLength(150);
    expect(of('root', 'cron.d')).toHaveLength(150);
    expect(samples(text, 'cronwrap_job_interval_seconds').filter((line) => line.includes('user="mallory"'))).toHaveLength(USER_SERIES_MAX);
    expect(samples(text, 'cronwrap_inventory_capped_entries')).toEqual([`cronwrap_inventory_capped_entries{user="mallory"} ${10_000 - USER_SERIES_MAX}`]);
    expect(text).toMatch(/^# HELP cronwrap_inventory_capped_entries .+\n# TYPE cronwrap_inventory_capped_entries gauge$/m);
    expect(text.length).toBeLessThan(200_000);
  });

  (hasPromtool ? it : it.skip)('promtool check metrics finds nothing to say of it (needs promtool), with no job as with several', () => {
    const escaped = { ...brett, cron_job: 'we"ird\\job', schedule: 'a\nb' };
    // And with a user past the cap: cronwrap_inventory_capped_entries has a sample.
    const overCap = Array.from({ length: USER_SERIES_MAX + 2 }, (_, i) => ({ labels: { ...brett, user: 'mallory', source: 'user', schedule: `${i % 60} ${Math.floor(i / 60)},${'0,'.repeat(40)}0 * * *` }, intervalSeconds: 3600 }));
    expect(samples(renderInventory(metrics(overCap)), 'cronwrap_inventory_capped_entries')).toEqual(['cronwrap_inventory_capped_entries{user="mallory"} 2']);
    for (const jobs of [[], [{ labels: brett, intervalSeconds: 60 }, { labels: brett, intervalSeconds: 60 }, { labels: escaped, intervalSeconds: null }], overCap]) {
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: renderInventory(metrics(jobs)), encoding: 'utf8' });
      expect(lint.status, lint.stdout + lint.stderr).toBe(0);
      expect(lint.stdout + lint.stderr).toBe('');
    }
  });
});
