import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
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

/** A schedule entry of a host's inventory, as `cronwrap jobs --metrics` labels it. */
interface Entry {
  cron_job: string;
  user: string;
  schedule: string;
  source: string;
  kind: string;
  wrapped: 'true' | 'false';
  /** The schedule's shortest interval; none for @reboot. */
  interval?: number;
}

/** What the host's inventory and fleet-group runs hold beyond what a plain `--metrics-dir` run writes. */
interface HostFleetState {
  entries: Entry[];
  problems: { rejected: number; ignored: number; refused_name: number };
  neverFiringTimers: number;
  inventoryAge: number;
  /** Jobs run with `--fleet-group group --fleet-expect expect` whose schedule has this interval. */
  groups: { cron_job: string; group: string; expect: string; interval: number }[];
}

/**
 * Stands in for `cronwrap jobs --metrics` and for runs with `--fleet-group`/`--fleet-expect`, whose code is built
 * on other branches: it writes exactly the series of the fleet contract. The inventory file
 * (`cronwrap-inventory.prom`: cronwrap_job_info, cronwrap_job_interval_seconds, cronwrap_crontab_problem_lines,
 * cronwrap_never_firing_timers, cronwrap_inventory_timestamp_seconds), and for a fleet-group job its real run's
 * per-job file with `fleet_group`/`fleet_expect` on every series plus cronwrap_schedule_interval_seconds. When the
 * branches are merged, the lead replaces this one function with those real cronwrap runs.
 */
function standInForFleetRuns(dir: string, host: HostFleetState): void {
  const labels = (pairs: Record<string, string>) => `{${Object.entries(pairs).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
  const lines = ['# TYPE cronwrap_job_info gauge', '# TYPE cronwrap_job_interval_seconds gauge'];
  for (const { interval, ...entry } of host.entries) {
    lines.push(`cronwrap_job_info${labels({ ...entry })} 1`);
    if (interval !== undefined) lines.push(`cronwrap_job_interval_seconds${labels({ ...entry })} ${interval}`);
  }
  lines.push('# TYPE cronwrap_crontab_problem_lines gauge');
  for (const [problem, count] of Object.entries(host.problems)) lines.push(`cronwrap_crontab_problem_lines{problem="${problem}"} ${count}`);
  lines.push('# TYPE cronwrap_never_firing_timers gauge', `cronwrap_never_firing_timers ${host.neverFiringTimers}`);
  lines.push('# TYPE cronwrap_inventory_timestamp_seconds gauge', `cronwrap_inventory_timestamp_seconds ${Math.floor(Date.now() / 1000) - host.inventoryAge}`);
  writeFileSync(join(dir, 'cronwrap-inventory.prom'), `${lines.join('\n')}\n`);
  for (const { cron_job, group, expect: fleetExpect, interval } of host.groups) {
    const file = join(dir, `cronwrap_${cron_job}.prom`);
    const fleet = `fleet_group="${group}",fleet_expect="${fleetExpect}"`;
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll(`{cron_job="${cron_job}"`, `{cron_job="${cron_job}",${fleet}`));
    appendFileSync(file, `# TYPE cronwrap_schedule_interval_seconds gauge\ncronwrap_schedule_interval_seconds{cron_job="${cron_job}",${fleet}} ${interval}\n`);
  }
}

const entry = (cron_job: string, schedule: string, wrapped: boolean, interval?: number, user = 'root', source = 'cron.d'): Entry => ({
  cron_job,
  user,
  schedule,
  source,
  kind: 'local',
  wrapped: wrapped ? 'true' : 'false',
  ...(interval === undefined ? {} : { interval }),
});
const BRETT = entry('brett.sh', '* * * * *', false, 60, 'root', 'crontab');
const DEPLOY = { cron_job: 'deploy-check', group: 'web', expect: 'all', interval: 300 };
const CLEANUP = { cron_job: 'cleanup', group: 'cleanup', expect: 'one', interval: 86_400 };
const NO_PROBLEMS = { rejected: 0, ignored: 0, refused_name: 0 };

/** The three hosts' inventories: brett.sh unwrapped everywhere, backup on two schedules, a fleet group of all and one of one. */
const HOSTS: Record<string, HostFleetState> = {
  'host-a': {
    entries: [BRETT, entry('backup', '0 3 * * *', true, 86_400), entry('deploy-check', '*/5 * * * *', true, 300), entry('cleanup', '0 4 * * *', true, 86_400), entry('rotate-logs', '0 * * * *', false, 3600, 'www-data', 'user')],
    problems: NO_PROBLEMS,
    neverFiringTimers: 0,
    inventoryAge: 0,
    groups: [DEPLOY, CLEANUP],
  },
  'host-b': {
    entries: [BRETT, entry('backup', '0 3 * * *', true, 86_400), entry('deploy-check', '*/5 * * * *', true, 300), entry('cleanup', '0 4 * * *', true, 86_400)],
    problems: NO_PROBLEMS,
    neverFiringTimers: 1,
    inventoryAge: 0,
    groups: [DEPLOY],
  },
  'host-c': {
    entries: [BRETT, entry('backup', '30 3 * * *', true, 86_400), entry('deploy-check', '*/5 * * * *', true, 300), entry('cleanup', '0 4 * * *', true, 86_400), entry('report', '30 6 * * 1', true, 604_800), entry('warm-cache', '@reboot', false, undefined, 'root', 'crontab')],
    problems: { rejected: 2, ignored: 1, refused_name: 0 },
    neverFiringTimers: 0,
    inventoryAge: 600,
    groups: [DEPLOY, CLEANUP],
  },
};

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Each sample as "label values… = value" (the labels named, in order), sorted: a table's rows. */
function rows(samples: Sample[], names: string[]): string[] {
  return samples.map((s) => `${names.map((n) => s.metric[n] ?? '').join(' ')} = ${Math.round(Number(s.value[1]) * 1000) / 1000}`).sort();
}

withEngines('the fleet Grafana dashboard, against a real Prometheus scraping three hosts', () => {
  it('every panel query returns the rows it should, over three node_exporters fed by real runs and the fleet contract', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;
    const dirs = Object.fromEntries(Object.keys(HOSTS).map((host) => [host, join(tempDir(), 'textfile')]));
    for (const dir of Object.values(dirs)) mkdirSync(dir);

    // Real runs write the per-job metrics: backup failed on host-b; deploy-check failed on host-a and last ran a
    // day ago on host-b (its next run is overdue); cleanup ran on two hosts. report never ran on host-c.
    const run = (host: string, job: string, schedule: string, exit: number, clock?: string) => {
      const args = ['--name', job, '--metrics-dir', dirs[host]!, '--schedule', schedule, '--', 'sh', '-c', `exit ${exit}`];
      return clock ? cronwrapAt(clock, args, sandbox()) : cronwrap(args, sandbox());
    };
    const runs = await Promise.all([
      run('host-a', 'backup', '0 3 * * *', 0),
      run('host-b', 'backup', '0 3 * * *', 2),
      run('host-c', 'backup', '30 3 * * *', 0),
      run('host-a', 'deploy-check', '*/5 * * * *', 1),
      run('host-b', 'deploy-check', '*/5 * * * *', 0, '-1d'),
      run('host-c', 'deploy-check', '*/5 * * * *', 0),
      run('host-a', 'cleanup', '0 4 * * *', 0),
      run('host-c', 'cleanup', '0 4 * * *', 0),
    ]);
    expect(runs.map((r) => r.exitCode)).toEqual([0, 2, 0, 1, 0, 0, 0, 0]);
    for (const [host, state] of Object.entries(HOSTS)) standInForFleetRuns(dirs[host]!, state);

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
    // Every host's inventory and per-job files scraped (the fleet-group labels too).
    let scraped = 0;
    const poll = async () => (scraped = (await query('count(count by (instance) (cronwrap_job_info)) + count(cronwrap_last_run_failed{fleet_group!=""})'))[0]?.value[1] === '8' ? 1 : 0);
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
    expect(await single('Schedule entries')).toBe(15);
    expect(await single('Unwrapped')).toBe(5);
    expect(await single('Last run failed')).toBe(2);
    expect(await single('Fleet groups in trouble')).toBe(1);
    expect(await single('Oldest inventory')).toBeGreaterThanOrEqual(600);
    expect(await single('Oldest inventory')).toBeLessThan(700);

    // Every job on every host, with its last result: 1 failed, 0 ok, -1 no result (unwrapped, or never run).
    const everyJob = ['instance', 'cron_job', 'schedule', 'wrapped', 'user', 'source', 'kind'];
    expect(rows(await panel('Every job on every host'), everyJob)).toEqual([
      'host-a backup 0 3 * * * true root cron.d local = 0',
      'host-a brett.sh * * * * * false root crontab local = -1',
      'host-a cleanup 0 4 * * * true root cron.d local = 0',
      'host-a deploy-check */5 * * * * true root cron.d local = 1',
      'host-a rotate-logs 0 * * * * false www-data user local = -1',
      'host-b backup 0 3 * * * true root cron.d local = 1',
      'host-b brett.sh * * * * * false root crontab local = -1',
      'host-b cleanup 0 4 * * * true root cron.d local = -1',
      'host-b deploy-check */5 * * * * true root cron.d local = 0',
      'host-c backup 30 3 * * * true root cron.d local = 0',
      'host-c brett.sh * * * * * false root crontab local = -1',
      'host-c cleanup 0 4 * * * true root cron.d local = 0',
      'host-c deploy-check */5 * * * * true root cron.d local = 0',
      'host-c report 30 6 * * 1 true root cron.d local = -1',
      'host-c warm-cache @reboot false root crontab local = -1',
    ]);
    // The host variable narrows it, as Grafana sends one or several hosts chosen.
    expect(rows(await panel('Every job on every host', 'A', 'host-c'), ['instance', 'cron_job'])).toHaveLength(6);
    expect(rows(await panel('Every job on every host', 'A', '(host-a|host-b)'), ['instance']).filter((r) => r.startsWith('host-c'))).toEqual([]);

    // Unwrapped jobs across the fleet, with the hosts each is on: brett.sh on all three, found by one query.
    expect(rows(await panel('Unwrapped jobs across the fleet'), ['cron_job', 'schedule', 'user', 'source'])).toEqual([
      'brett.sh * * * * * root crontab = 3',
      'rotate-logs 0 * * * * www-data user = 1',
      'warm-cache @reboot root crontab = 1',
    ]);

    // The same job on many hosts: hosts, unwrapped on, schedules, last run failed on (a job on one host is not listed).
    const many = 'The same job on many hosts';
    expect(rows(await panel(many, 'A'), ['cron_job'])).toEqual(['backup = 3', 'brett.sh = 3', 'cleanup = 3', 'deploy-check = 3']);
    expect(rows(await panel(many, 'B'), ['cron_job'])).toEqual(['backup = 0', 'brett.sh = 3', 'cleanup = 0', 'deploy-check = 0']);
    expect(rows(await panel(many, 'C'), ['cron_job'])).toEqual(['backup = 2', 'brett.sh = 1', 'cleanup = 1', 'deploy-check = 1']);
    expect(rows(await panel(many, 'D'), ['cron_job'])).toEqual(['backup = 1', 'brett.sh = 0', 'cleanup = 0', 'deploy-check = 1']);

    // The most frequent jobs: runs a day on all hosts together, the shortest interval, the hosts (no interval: not listed).
    const frequent = 'Most frequent jobs';
    expect(rows(await panel(frequent, 'A'), ['cron_job'])).toEqual(['backup = 3', 'brett.sh = 4320', 'cleanup = 3', 'deploy-check = 864', 'report = 0.143', 'rotate-logs = 24']);
    expect(rows(await panel(frequent, 'B'), ['cron_job'])).toEqual(['backup = 86400', 'brett.sh = 60', 'cleanup = 86400', 'deploy-check = 300', 'report = 604800', 'rotate-logs = 3600']);
    expect(rows(await panel(frequent, 'C'), ['cron_job'])).toEqual(['backup = 3', 'brett.sh = 3', 'cleanup = 3', 'deploy-check = 3', 'report = 1', 'rotate-logs = 1']);

    // Fleet groups: web (all) is 2 of 3 (failed on host-a, overdue on host-b); cleanup (one) ran on two hosts.
    const groups = 'Fleet groups: k of n';
    const group = ['fleet_group', 'fleet_expect', 'cron_job'];
    expect(rows(await panel(groups, 'A'), group)).toEqual(['cleanup one cleanup = 2', 'web all deploy-check = 3']);
    expect(rows(await panel(groups, 'B'), group)).toEqual(['cleanup one cleanup = 0', 'web all deploy-check = 2']);
    expect(rows(await panel(groups, 'C'), group)).toEqual(['cleanup one cleanup = 0', 'web all deploy-check = 1']);
    expect(rows(await panel(groups, 'D'), group)).toEqual(['cleanup one cleanup = 0', 'web all deploy-check = 1']);
    expect(rows(await panel(groups, 'E'), group)).toEqual(['cleanup one cleanup = 2', 'web all deploy-check = 2']);

    // Each host's inventory: entries, unwrapped, problem lines, timers that never fire, the inventory's age.
    expect(rows(await panel('Inventory per host', 'A'), ['instance'])).toEqual(['host-a = 5', 'host-b = 4', 'host-c = 6']);
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
