import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTree, type Tree } from '../helpers/cron-tree.js';
import { cronwrap, cronwrapAt, sandbox, tempDir, waitFor } from '../helpers/cronwrap.js';
import { has, startNodeExporter, startPrometheus } from '../helpers/daemons.js';

// Needs Debian's prometheus, prometheus-node-exporter and faketime; .ci/run installs them. Outside CI a machine
// without them skips (and vitest says so); under CI a missing one fails.
const withEngines = (has('prometheus') && has('prometheus-node-exporter') && has('faketime')) || process.env.CI ? describe : describe.skip;

const DASHBOARD = resolve(__dirname, '../../examples/grafana/cronwrap-fleet-dashboard.json');

interface Dashboard {
  panels: { title: string; targets: { refId: string; expr: string }[] }[];
  templating: { list: { name: string; query: { query: string } }[] };
}

const wrapped = (job: string, schedule: string, flags = '') => `${schedule} root /usr/bin/cronwrap --name ${job}${flags} -- /usr/local/bin/${job}\n`;
const BRETT = '* * * * * root /usr/local/bin/brett.sh restart app\n';
const WEB = ' --fleet-group web --fleet-expect all';
const CLEANUP = ' --fleet-group cleanup --fleet-expect one';
const OPS = ' --fleet-group ops --fleet-expect 1';
const SWEEP = ' --fleet-group sweep --fleet-expect one';

/**
 * The three hosts' cron trees, as `cronwrap jobs --metrics --root` reads them: brett.sh unwrapped on all three,
 * backup on two schedules, deploy-check in the `all` group web, cleanup in the `one` group cleanup (host-a holds the
 * lock now; host-c held it the day before), reindex in the group ops of 1 host (nobody ran it in its last period), sweep
 * in the `one` group sweep (monthly; host-b and host-c both ran it this period: the lock failed).
 */
const HOSTS: Record<string, Tree> = {
  'host-a': {
    '/etc/crontab': `SHELL=/bin/sh\n${BRETT}`,
    '/etc/cron.d/jobs': `${wrapped('backup', '0 3 * * *')}${wrapped('deploy-check', '*/5 * * * *', WEB)}${wrapped('cleanup', '0 4 * * *', CLEANUP)}${wrapped('reindex', '0 5 * * *', OPS)}`,
    '/var/spool/cron/crontabs/www-data': '0 * * * * /usr/local/bin/rotate-logs\n',
  },
  'host-b': {
    '/etc/crontab': `SHELL=/bin/sh\n${BRETT}`,
    '/etc/cron.d/jobs': `${wrapped('backup', '0 3 * * *')}${wrapped('deploy-check', '*/5 * * * *', WEB)}${wrapped('cleanup', '0 4 * * *', CLEANUP)}${wrapped('reindex', '0 5 * * *', OPS)}${wrapped('sweep', '15 0 1 * *', SWEEP)}`,
    // A timer no .wants/ link enables: it never fires.
    '/etc/systemd/system/export.timer': '[Timer]\nOnCalendar=daily\n[Install]\nWantedBy=timers.target\n',
    '/etc/systemd/system/export.service': '[Service]\nExecStart=/usr/local/bin/export\n',
  },
  'host-c': {
    '/etc/crontab': `SHELL=/bin/sh\n${BRETT}@reboot root /usr/local/bin/warm-cache --all\n`,
    '/etc/cron.d/jobs': `${wrapped('backup', '30 3 * * *')}${wrapped('deploy-check', '*/5 * * * *', WEB)}${wrapped('cleanup', '0 4 * * *', CLEANUP)}${wrapped('report', '30 6 * * 1')}${wrapped('sweep', '15 0 1 * *', SWEEP)}`,
    // Two lines cron rejects, and the good line of their file it ignores with them.
    '/etc/cron.d/broken': '61 * * * * root /usr/local/bin/never\n* * * 13 * root /usr/local/bin/never-either\n15 3 * * * root /usr/local/bin/also-never\n',
  },
};

/**
 * The runs on each host, as cron starts them from its tree (with --schedule, so each writes its next deadline and
 * interval): backup failed on host-b; deploy-check failed on host-a and last ran 30 hours ago on host-b (overdue);
 * cleanup ran on host-a now and failed on host-c 30 hours ago; reindex ran on host-a and host-b 30 hours ago, and on
 * neither since; sweep ran on host-b and host-c now. report never ran on host-c. A clock is faketime's: how long ago the run was.
 */
const RUNS: { host: string; job: string; schedule: string; flags: string; exit: number; clock?: string }[] = [
  { host: 'host-a', job: 'backup', schedule: '0 3 * * *', flags: '', exit: 0 },
  { host: 'host-b', job: 'backup', schedule: '0 3 * * *', flags: '', exit: 2 },
  { host: 'host-c', job: 'backup', schedule: '30 3 * * *', flags: '', exit: 0 },
  { host: 'host-a', job: 'deploy-check', schedule: '*/5 * * * *', flags: WEB, exit: 1 },
  { host: 'host-b', job: 'deploy-check', schedule: '*/5 * * * *', flags: WEB, exit: 0, clock: '-30h' },
  { host: 'host-c', job: 'deploy-check', schedule: '*/5 * * * *', flags: WEB, exit: 0 },
  { host: 'host-a', job: 'cleanup', schedule: '0 4 * * *', flags: CLEANUP, exit: 0 },
  { host: 'host-c', job: 'cleanup', schedule: '0 4 * * *', flags: CLEANUP, exit: 1, clock: '-30h' },
  { host: 'host-a', job: 'reindex', schedule: '0 5 * * *', flags: OPS, exit: 0, clock: '-30h' },
  { host: 'host-b', job: 'reindex', schedule: '0 5 * * *', flags: OPS, exit: 0, clock: '-30h' },
  { host: 'host-b', job: 'sweep', schedule: '15 0 1 * *', flags: SWEEP, exit: 0 },
  { host: 'host-c', job: 'sweep', schedule: '15 0 1 * *', flags: SWEEP, exit: 0 },
];

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Each sample as "label values… = value" (the labels named, in order), sorted: a table's rows. */
function rows(samples: Sample[], names: string[]): string[] {
  return samples.map((s) => `${names.map((n) => s.metric[n] ?? '').join(' ')} = ${Math.round(Number(s.value[1]) * 1000) / 1000}`).sort();
}

withEngines('the fleet Grafana dashboard, against a real Prometheus scraping three hosts', () => {
  it('every panel query returns the rows it should, over three node_exporters fed by real inventories and runs', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
    const dirs = Object.fromEntries(Object.keys(HOSTS).map((host) => [host, join(tempDir(), 'textfile')]));

    // Real runs: each host's inventory (host-c's written 10 minutes ago: its timer stopped), and its wrapped jobs.
    const inventories = Object.entries(HOSTS).map(([host, tree]) => {
      const box = sandbox();
      const args = ['jobs', '--metrics', '--root', writeTree(join(box.dir, 'root'), tree), '--metrics-dir', dirs[host]!];
      return host === 'host-c' ? cronwrapAt('-10m', args, box) : cronwrap(args, box);
    });
    const runs = RUNS.map(({ host, job, schedule, flags, exit, clock }) => {
      const args = ['--name', job, '--metrics-dir', dirs[host]!, '--schedule', schedule, ...flags.split(' ').filter(Boolean), '--', 'sh', '-c', `exit ${exit}`];
      return clock ? cronwrapAt(clock, args, sandbox()) : cronwrap(args, sandbox());
    });
    const finished = await Promise.all([...inventories, ...runs]);
    expect(finished.map((r) => r.exitCode)).toEqual([...inventories.map(() => 0), ...RUNS.map((r) => r.exit)]);

    const exporters = await Promise.all(Object.values(dirs).map((dir) => startNodeExporter(dir)));
    const targets = Object.keys(HOSTS).map((host, i) => `      - targets: ['${exporters[i]!.address}']\n        labels: {instance: ${host}}`);
    const prometheus = await startPrometheus(tempDir(), `global:\n  scrape_interval: 500ms\nscrape_configs:\n  - job_name: node\n    static_configs:\n${targets.join('\n')}\n`);
    const query = async (expr: string): Promise<Sample[]> => {
      const response = await fetch(`${prometheus.url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
      const body = (await response.json()) as { status: string; error?: string; data: { resultType: string; result: Sample[] } };
      expect(body.status, `${expr}: ${body.error}`).toBe('success');
      expect(body.data.resultType).toBe('vector');
      return body.data.result;
    };
    // Every host's inventory and every run's per-job file scraped.
    let scraped = 0;
    const poll = async () => (scraped = (await query('count(cronwrap_inventory_timestamp_seconds) + count(cronwrap_last_run_failed)'))[0]?.value[1] === String(3 + RUNS.length) ? 1 : 0);
    const polling = setInterval(() => void poll().catch(() => undefined), 200);
    try {
      await waitFor(() => scraped === 1, 20_000);
    } finally {
      clearInterval(polling);
    }

    // The host variable's values, and each panel query as Grafana sends it with "All" chosen.
    const variable = dashboard.templating.list.find((v) => v.name === 'instance')!;
    const series = /^label_values\((\w+), instance\)$/.exec(variable.query.query)![1]!;
    const values = (await (await fetch(`${prometheus.url}/api/v1/label/instance/values?${new URLSearchParams({ 'match[]': series })}`)).json()) as { data: string[] };
    expect(values.data).toEqual(['host-a', 'host-b', 'host-c']);
    const panel = async (title: string, refId = 'A', instance = '.*') => {
      const target = dashboard.panels.find((p) => p.title === title)?.targets.find((t) => t.refId === refId);
      expect(target, `panel ${title}, query ${refId}`).toBeDefined();
      asked.add(`${title} ${refId}`);
      return query(target!.expr.replaceAll('$instance', instance));
    };
    const asked = new Set<string>();
    const single = async (title: string) => Number((await panel(title))[0]!.value[1]);

    expect(await single('Hosts')).toBe(3);
    expect(await single('Schedule entries')).toBe(19);
    expect(await single('Unwrapped')).toBe(5);
    expect(await single('Last run failed')).toBe(3);
    // web (failed on host-a, overdue on host-b), ops (run on no host in its period) and sweep (run on two hosts in
    // one period); not cleanup, whose host-c failure was a day ago: host-a has run it since, and host-c, without the
    // lock, is not overdue.
    expect(await single('Fleet groups in trouble')).toBe(3);
    expect(await single('Oldest inventory')).toBeGreaterThanOrEqual(600);
    expect(await single('Oldest inventory')).toBeLessThan(700);

    // Every job on every host, with its last result: 1 failed, 0 ok, -1 no result (unwrapped, or never run).
    const everyJob = ['instance', 'cron_job', 'schedule', 'wrapped', 'user', 'source', 'kind'];
    expect(rows(await panel('Every job on every host'), everyJob)).toEqual([
      'host-a backup 0 3 * * * true root cron.d local = 0',
      'host-a brett.sh * * * * * false root crontab local = -1',
      'host-a cleanup 0 4 * * * true root cron.d local = 0',
      'host-a deploy-check */5 * * * * true root cron.d local = 1',
      'host-a reindex 0 5 * * * true root cron.d local = 0',
      'host-a rotate-logs 0 * * * * false www-data user local = -1',
      'host-b backup 0 3 * * * true root cron.d local = 1',
      'host-b brett.sh * * * * * false root crontab local = -1',
      'host-b cleanup 0 4 * * * true root cron.d local = -1',
      'host-b deploy-check */5 * * * * true root cron.d local = 0',
      'host-b reindex 0 5 * * * true root cron.d local = 0',
      'host-b sweep 15 0 1 * * true root cron.d local = 0',
      'host-c backup 30 3 * * * true root cron.d local = 0',
      'host-c brett.sh * * * * * false root crontab local = -1',
      'host-c cleanup 0 4 * * * true root cron.d local = 1',
      'host-c deploy-check */5 * * * * true root cron.d local = 0',
      'host-c report 30 6 * * 1 true root cron.d local = -1',
      'host-c sweep 15 0 1 * * true root cron.d local = 0',
      'host-c warm-cache @reboot false root crontab local = -1',
    ]);
    // The host variable narrows it, as Grafana sends one or several hosts chosen.
    expect(rows(await panel('Every job on every host', 'A', 'host-c'), ['instance', 'cron_job'])).toHaveLength(7);
    expect(rows(await panel('Every job on every host', 'A', '(host-a|host-b)'), ['instance']).filter((r) => r.startsWith('host-c'))).toEqual([]);

    // Unwrapped jobs across the fleet, with the hosts each is on: brett.sh on all three, found by one query.
    expect(rows(await panel('Unwrapped jobs across the fleet'), ['cron_job', 'schedule', 'user', 'source'])).toEqual([
      'brett.sh * * * * * root crontab = 3',
      'rotate-logs 0 * * * * www-data user = 1',
      'warm-cache @reboot root crontab = 1',
    ]);

    // The same job on many hosts: hosts, unwrapped on, schedules, last run failed on (a job on one host is not listed).
    const many = 'The same job on many hosts';
    expect(rows(await panel(many, 'A'), ['cron_job'])).toEqual(['backup = 3', 'brett.sh = 3', 'cleanup = 3', 'deploy-check = 3', 'reindex = 2', 'sweep = 2']);
    expect(rows(await panel(many, 'B'), ['cron_job'])).toEqual(['backup = 0', 'brett.sh = 3', 'cleanup = 0', 'deploy-check = 0', 'reindex = 0', 'sweep = 0']);
    expect(rows(await panel(many, 'C'), ['cron_job'])).toEqual(['backup = 2', 'brett.sh = 1', 'cleanup = 1', 'deploy-check = 1', 'reindex = 1', 'sweep = 1']);
    expect(rows(await panel(many, 'D'), ['cron_job'])).toEqual(['backup = 1', 'brett.sh = 0', 'cleanup = 1', 'deploy-check = 1', 'reindex = 0', 'sweep = 0']);

    // The most frequent jobs: runs a day on all hosts together, the shortest interval, the hosts (no interval: not listed).
    const frequent = 'Most frequent jobs';
    expect(rows(await panel(frequent, 'A'), ['cron_job'])).toEqual(['backup = 3', 'brett.sh = 4320', 'cleanup = 3', 'deploy-check = 864', 'reindex = 2', 'report = 0.143', 'rotate-logs = 24', 'sweep = 0.071']);
    expect(rows(await panel(frequent, 'B'), ['cron_job'])).toEqual(['backup = 86400', 'brett.sh = 60', 'cleanup = 86400', 'deploy-check = 300', 'reindex = 86400', 'report = 604800', 'rotate-logs = 3600', 'sweep = 2419200']);
    expect(rows(await panel(frequent, 'C'), ['cron_job'])).toEqual(['backup = 3', 'brett.sh = 3', 'cleanup = 3', 'deploy-check = 3', 'reindex = 2', 'report = 1', 'rotate-logs = 1', 'sweep = 2']);

    // Fleet groups, judged as the fleet rules judge them: web (all) is 2 of 3 (failed on host-a, overdue on
    // host-b); cleanup (one) ran on host-a in its period, and host-c's older failure no longer counts; ops (1 host:
    // "one") ran on no host in its period, one miss for the group, not one per host; sweep (one) ran on two hosts.
    const groups = 'Fleet groups: k of n';
    const group = ['fleet_group', 'fleet_expect', 'cron_job'];
    expect(rows(await panel(groups, 'A'), group)).toEqual(['cleanup one cleanup = 2', 'ops one reindex = 2', 'sweep one sweep = 2', 'web all deploy-check = 3']);
    expect(rows(await panel(groups, 'B'), group)).toEqual(['cleanup one cleanup = 0', 'ops one reindex = 1', 'sweep one sweep = 0', 'web all deploy-check = 2']);
    expect(rows(await panel(groups, 'C'), group)).toEqual(['cleanup one cleanup = 0', 'ops one reindex = 0', 'sweep one sweep = 0', 'web all deploy-check = 1']);
    expect(rows(await panel(groups, 'D'), group)).toEqual(['cleanup one cleanup = 0', 'ops one reindex = 1', 'sweep one sweep = 0', 'web all deploy-check = 1']);
    expect(rows(await panel(groups, 'E'), group)).toEqual(['cleanup one cleanup = 1', 'ops one reindex = 0', 'sweep one sweep = 2', 'web all deploy-check = 2']);

    // Each host's inventory: entries, unwrapped, problem lines, timers that never fire, the inventory's age.
    expect(rows(await panel('Inventory per host', 'A'), ['instance'])).toEqual(['host-a = 6', 'host-b = 6', 'host-c = 7']);
    expect(rows(await panel('Inventory per host', 'B'), ['instance'])).toEqual(['host-a = 2', 'host-b = 1', 'host-c = 2']);
    expect(rows(await panel('Inventory per host', 'C'), ['instance'])).toEqual(['host-a = 0', 'host-b = 0', 'host-c = 3']);
    expect(rows(await panel('Inventory per host', 'D'), ['instance'])).toEqual(['host-a = 0', 'host-b = 1', 'host-c = 0']);
    const ages = Object.fromEntries((await panel('Inventory per host', 'E')).map((s) => [s.metric.instance, Number(s.value[1])]));
    expect(ages['host-a']).toBeLessThan(120);
    expect(ages['host-c']).toBeGreaterThanOrEqual(600);

    // No panel query goes unchecked.
    expect([...asked].sort()).toEqual(dashboard.panels.flatMap((p) => p.targets.map((t) => `${p.title} ${t.refId}`)).sort());
  }, 60_000);
});
