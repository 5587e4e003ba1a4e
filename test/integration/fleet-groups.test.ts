import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, cronwrapAt, hasFaketime, sandbox, startCronwrap, tempDir, waitFor, type Sandbox } from '../helpers/cronwrap.js';
import { has, startAlertmanager, startNodeExporter, startPrometheus, startPushgateway, type PrometheusAlert } from '../helpers/daemons.js';
import { startHttp } from '../helpers/servers.js';

// Debian's prometheus, prometheus-node-exporter and prometheus-alertmanager; .ci/run installs them. Outside CI a
// machine without them skips (and vitest says so); under CI a missing one fails.
const withEngines = (['prometheus', 'prometheus-node-exporter', 'prometheus-alertmanager'].every(has)) || process.env.CI ? describe : describe.skip;

const EXAMPLES = resolve(__dirname, '../../examples');

/** `text` with `from` replaced by `to`, which must be there: the test fails when the example changes under it. */
function swap(text: string, from: string, to: string): string {
  expect(text, `the example holds ${from}`).toContain(from);
  return text.replace(from, to);
}

/** The figure of `series` (with its labels, as written) in a .prom file. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('--fleet-group and --fleet-expect label the metrics', () => {
  it('by flag, environment or config file; every series carries fleet_group and fleet_expect, with the interval and expected hosts', async () => {
    const box = sandbox();
    const metrics = join(box.dir, 'textfile');
    writeFileSync(box.env.CRONWRAP_CONFIG!, '[jobs.rotate]\nfleet_group = "ops"\nfleet_expect = "one"\n');
    expect((await cronwrap(['--name', 'nightly', '--metrics-dir', metrics, '--fleet-group', 'web', '--', 'true'], box)).exitCode).toBe(0);
    expect((await cronwrap(['--name', 'mirror', '--metrics-dir', metrics, '--schedule', '*/10 * * * *', '--', 'true'], box, { env: { CRONWRAP_FLEET_GROUP: 'edge', CRONWRAP_FLEET_EXPECT: '2' } })).exitCode).toBe(0);
    expect((await cronwrap(['--name', 'rotate', '--metrics-dir', metrics, '--schedule', '@hourly', '--', 'true'], box)).exitCode).toBe(0);
    expect((await cronwrap(['--name', 'plain', '--metrics-dir', metrics, '--schedule', '@daily', '--', 'true'], box)).exitCode).toBe(0);

    const nightly = readFileSync(join(metrics, 'cronwrap_nightly.prom'), 'utf8');
    const series = nightly.split('\n').filter((line) => line.startsWith('cronwrap_'));
    expect(series.length).toBeGreaterThanOrEqual(10);
    // `all` by default; no schedule known, so neither an interval nor a deadline; no expected hosts for `all`.
    for (const line of series) expect(line).toMatch(/^cronwrap_\w+\{cron_job="nightly",fleet_group="web",fleet_expect="all"[,}]/);
    expect(nightly).not.toMatch(/cronwrap_schedule_interval_seconds|cronwrap_fleet_expected_hosts/);

    const mirror = readFileSync(join(metrics, 'cronwrap_mirror.prom'), 'utf8');
    expect(sample(mirror, 'cronwrap_schedule_interval_seconds{cron_job="mirror",fleet_group="edge",fleet_expect="2"}')).toBe(600);
    expect(sample(mirror, 'cronwrap_fleet_expected_hosts{cron_job="mirror",fleet_group="edge",fleet_expect="2"}')).toBe(2);

    const rotate = readFileSync(join(metrics, 'cronwrap_rotate.prom'), 'utf8');
    expect(sample(rotate, 'cronwrap_schedule_interval_seconds{cron_job="rotate",fleet_group="ops",fleet_expect="one"}')).toBe(3600);
    expect(sample(rotate, 'cronwrap_fleet_expected_hosts{cron_job="rotate",fleet_group="ops",fleet_expect="one"}')).toBe(1);

    // No group: the labels as before; the interval as for any job whose schedule is known.
    const plain = readFileSync(join(metrics, 'cronwrap_plain.prom'), 'utf8');
    expect(plain).not.toContain('fleet_');
    expect(sample(plain, 'cronwrap_runs_total{cron_job="plain"}')).toBe(1);
    expect(sample(plain, 'cronwrap_schedule_interval_seconds{cron_job="plain"}')).toBe(86_400);
  });

  it('a bad group name, or --fleet-expect without a group, is a usage error naming the key and the fix; from the environment it is reported and the job runs', async () => {
    const box = sandbox();
    const bad = await cronwrap(['--fleet-group', 'web backup', '--', 'true'], box);
    expect(bad.exitCode).toBe(125);
    expect(bad.stderr.toString()).toContain("cronwrap: --fleet-group: 'web backup' is not a fleet group name; use 1 to 64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit, e.g. web-backup");
    const expect3 = await cronwrap(['--fleet-group', 'web', '--fleet-expect', 'some', '--', 'true'], box);
    expect(expect3.exitCode).toBe(125);
    expect(expect3.stderr.toString()).toContain("cronwrap: --fleet-expect: 'some' is not all, one or a number of hosts from 1 to 10000");
    const lone = await cronwrap(['--fleet-expect', 'one', '--', 'true'], box);
    expect(lone.exitCode).toBe(125);
    expect(lone.stderr.toString()).toContain('cronwrap: --fleet-expect needs --fleet-group (fleet_group), the group the job belongs to; give both, e.g. --fleet-group web-backup --fleet-expect one');
    // A stray variable in a crontab never stops the job: said on stderr, dropped, and the run goes on.
    const metrics = join(box.dir, 'textfile');
    const fromEnv = await cronwrap(['--name', 'envjob', '--metrics-dir', metrics, '--', 'true'], box, { env: { CRONWRAP_FLEET_EXPECT: 'one' } });
    expect(fromEnv.exitCode).toBe(0);
    expect(fromEnv.stderr.toString()).toContain('cronwrap: config: CRONWRAP_FLEET_EXPECT needs --fleet-group (fleet_group)');
    expect(readFileSync(join(metrics, 'cronwrap_envjob.prom'), 'utf8')).not.toContain('fleet_');
  });

  it.skipIf(!hasFaketime)('a run moves the deadline on as it starts: a run longer than its grace is not a missed one (needs faketime)', async () => {
    const box = sandbox();
    const metrics = join(box.dir, 'textfile');
    const file = join(metrics, 'cronwrap_long.prom');
    const deadline = () => sample(readFileSync(file, 'utf8'), 'cronwrap_next_run_deadline_timestamp_seconds{cron_job="long",fleet_group="ops",fleet_expect="one"}');
    const args = ['--name', 'long', '--metrics-dir', metrics, '--schedule', '* * * * *', '--fleet-group', 'ops', '--fleet-expect', 'one'];
    // The run before, a day ago: its deadline (the minute after it, plus a minute) is long past.
    expect((await cronwrapAt('-1d', [...args, '--', 'true'], box)).exitCode).toBe(0);
    expect(deadline()).toBeLessThan(Date.now() / 1000 - 3600);
    // This run is still going: its deadline is already the next minute's start plus the grace.
    const started = Date.now() / 1000;
    const release = join(box.dir, 'release');
    const running = startCronwrap([...args, '--', 'sh', '-c', `until [ -e ${release} ]; do sleep 0.05; done`], box);
    await waitFor(() => readFileSync(file, 'utf8').includes('cronwrap_running{cron_job="long",fleet_group="ops",fleet_expect="one"} 1'));
    expect(deadline()).toBeGreaterThan(started + 60);
    expect(deadline()! % 60).toBe(0);
    writeFileSync(release, '');
    expect((await running).exitCode).toBe(0);
  });
});

/** Three "hosts": a textfile directory, a state of their own and a real node_exporter reading the directory each. */
async function threeHosts(): Promise<{ name: string; box: Sandbox; metrics: string; address: string }[]> {
  return Promise.all(
    ['host1', 'host2', 'host3'].map(async (name) => {
      const box = sandbox();
      const metrics = join(box.dir, 'textfile');
      mkdirSync(metrics, { mode: 0o755 });
      return { name, box, metrics, address: (await startNodeExporter(metrics)).address };
    }),
  );
}

/**
 * The shipped prometheus.yml and rules, quick (evaluation and scrape every 500ms): its node job scrapes the
 * hosts' node_exporters, each target labelled with its host as `instance`; Alertmanager at `alertmanager`.
 */
function shippedPrometheus(dir: string, hosts: { name: string; address: string }[], alertmanager: string | undefined): string {
  for (const rules of ['cronwrap-alerts.yml', 'cronwrap-fleet.yml']) copyFileSync(join(EXAMPLES, 'prometheus', rules), join(dir, rules));
  let config = readFileSync(join(EXAMPLES, 'prometheus', 'prometheus.yml'), 'utf8');
  config = swap(config, 'scrape_interval: 30s', 'scrape_interval: 500ms');
  config = swap(config, 'evaluation_interval: 30s', 'evaluation_interval: 500ms');
  const targets = hosts.map((host) => `      - targets: ['${host.address}']\n        labels: { instance: ${host.name} }`).join('\n');
  config = swap(config, "      - targets: ['db1:9100']", targets);
  config = swap(config, "targets: ['pushgateway:9091']", 'targets: []');
  return swap(config, "targets: ['alertmanager:9093']", alertmanager ? `targets: ['${alertmanager}']` : 'targets: []');
}

/** Prometheus' alerts, polled in the background while `until` waits for a condition on them. */
async function alertsUntil(prometheus: { alerts(): Promise<PrometheusAlert[]> }, done: (alerts: PrometheusAlert[]) => boolean): Promise<PrometheusAlert[]> {
  let alerts: PrometheusAlert[] = [];
  const poll = setInterval(() => void prometheus.alerts().then((found) => (alerts = found), () => undefined), 100);
  try {
    await waitFor(() => done(alerts), 15_000);
  } finally {
    clearInterval(poll);
  }
  return alerts;
}

/** Waits until `promql` answers `value` (its first sample) on the Prometheus at `url`. */
async function untilQuery(url: string, promql: string, value: number): Promise<void> {
  let answer: number | undefined;
  const poll = setInterval(() => {
    void fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`)
      .then((r) => r.json() as Promise<{ data: { result: { value: [number, string] }[] } }>)
      .then((r) => (answer = Number(r.data.result[0]?.value[1] ?? Number.NaN)), () => undefined);
  }, 100);
  try {
    await waitFor(() => answer === value, 15_000);
  } finally {
    clearInterval(poll);
  }
}

/** What Alertmanager's webhook posts: the group's alerts, each with its labels and annotations. */
interface WebhookBody {
  status: string;
  groupLabels: Record<string, string>;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

/** An alert as Alertmanager's /api/v2/alerts lists it. */
interface ManagedAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

const withPushgateway = has('prometheus-pushgateway') || process.env.CI ? describe : describe.skip;

withPushgateway('a fleet group through a Pushgateway', () => {
  it('the pushed metrics carry fleet_group and fleet_expect on every series', async () => {
    const gateway = await startPushgateway();
    const box = sandbox();
    expect((await cronwrap(['--name', 'pushed', '--metrics-push', gateway.url, '--fleet-group', 'web', '--fleet-expect', '3', '--schedule', '@daily', '--', 'true'], box)).exitCode).toBe(0);
    const pushed = (await gateway.metrics()).split('\n').filter((line) => line.startsWith('cronwrap_') && line.includes('job="pushed"'));
    expect(pushed.length).toBeGreaterThanOrEqual(12);
    for (const line of pushed) expect(line).toMatch(/^cronwrap_\w+\{[^}]*cron_job="pushed",fleet_expect="3",fleet_group="web"[,}]/);
    expect(pushed.some((line) => /^cronwrap_fleet_expected_hosts\{.*\} 3$/.test(line))).toBe(true);
  });
});

withEngines('a fleet group on three hosts: real runs, node_exporters, Prometheus with the shipped rules, Alertmanager with the shipped config', () => {
  it('failed on two of three hosts: ONE CronFleetJobFailing naming them, one notification; a singleton run on two: CronFleetSingletonOverrun', async () => {
    const hosts = await threeHosts();
    const webhook = await startHttp();
    // The shipped Alertmanager config, quick, delivering to the webhook: group_wait 2s (the per-host alerts and
    // the fleet alert come from rule groups evaluated apart, up to an interval of 500ms), group_interval 1s.
    let amConfig = readFileSync(join(EXAMPLES, 'alertmanager', 'alertmanager.yml'), 'utf8');
    amConfig = swap(amConfig, 'group_wait: 30s', 'group_wait: 2s');
    amConfig = swap(amConfig, 'group_interval: 5m', 'group_interval: 1s');
    amConfig = swap(amConfig, 'url: http://127.0.0.1:9099/alertmanager', `url: ${webhook.url}/alertmanager`);
    const alertmanager = await startAlertmanager(tempDir(), amConfig);

    // "nightly" of the `all` group web; "rotate" of the `one` group ops, on a yearly schedule: two runs a
    // moment apart are in the same period (they have the same next deadline).
    const nightly = (host: (typeof hosts)[number], command: string) => cronwrap(['--name', 'nightly', '--metrics-dir', host.metrics, '--fleet-group', 'web', '-c', command], host.box);
    const rotate = (host: (typeof hosts)[number]) => cronwrap(['--name', 'rotate', '--metrics-dir', host.metrics, '--fleet-group', 'ops', '--fleet-expect', 'one', '--schedule', '0 0 1 1 *', '--', 'true'], host.box);
    // First every host ran nightly fine, and host1 alone ran rotate: Prometheus sees that, and stays quiet.
    await Promise.all([...hosts.map((host) => nightly(host, 'true')), rotate(hosts[0]!)]);
    const dir = tempDir();
    // Alerts re-sent at every evaluation (the default is a minute): Alertmanager's group_wait then sends the
    // latest summary, whichever host's scrape came first.
    const prometheus = await startPrometheus(dir, shippedPrometheus(dir, hosts, new URL(alertmanager.url).host), ['--rules.alert.resend-delay=100ms']);
    await untilQuery(prometheus.url, 'cronwrap_fleet:hosts:count{cron_job="nightly",fleet_group="web"}', 3);
    await untilQuery(prometheus.url, 'cronwrap_fleet:hosts_in_latest_period:count{cron_job="rotate",fleet_group="ops"}', 1);
    expect(await prometheus.alerts()).toEqual([]);

    // nightly fails on host1 and host2 and succeeds on host3; the lock failed, and host2 ran rotate too.
    const results = await Promise.all([...hosts.map((host) => nightly(host, host.name === 'host3' ? 'true' : 'exit 3')), rotate(hosts[1]!)]);
    expect(results.map((r) => r.exitCode)).toEqual([3, 3, 0, 0]);

    const firing = (alerts: PrometheusAlert[], name: string) => alerts.filter((a) => a.labels.alertname === name && a.state === 'firing');
    const alerts = await alertsUntil(
      prometheus,
      (found) => firing(found, 'CronFleetJobFailing')[0]?.annotations.summary?.includes('2 of 3') === true && firing(found, 'CronJobFailed').length === 2 && firing(found, 'CronFleetSingletonOverrun').length === 1,
    );
    expect(firing(alerts, 'CronFleetJobFailing')).toHaveLength(1);
    expect(firing(alerts, 'CronFleetJobFailing')[0]!.labels).toEqual({ alertname: 'CronFleetJobFailing', cron_job: 'nightly', fleet_group: 'web', severity: 'critical' });
    expect(firing(alerts, 'CronFleetJobFailing')[0]!.annotations.summary).toBe('cron job nightly failed or missed its run on 2 of 3 hosts of fleet group web: host1, host2');
    // The per-host alerts fire too, carrying the group: Alertmanager inhibits them.
    expect(firing(alerts, 'CronJobFailed').map((a) => [a.labels.instance, a.labels.fleet_group]).sort()).toEqual([['host1', 'web'], ['host2', 'web']]);
    expect(firing(alerts, 'CronFleetSingletonOverrun')[0]!.labels).toEqual({ alertname: 'CronFleetSingletonOverrun', cron_job: 'rotate', fleet_group: 'ops', severity: 'critical' });
    expect(firing(alerts, 'CronFleetSingletonOverrun')[0]!.annotations.summary).toBe('cron job rotate of fleet group ops ran on 2 hosts in one period, expected at most 1: host1, host2');
    expect(alerts.filter((a) => a.labels.alertname === 'CronFleetSingletonNotRun' || a.labels.alertname === 'CronJobMissed')).toEqual([]);

    // Alertmanager holds both per-host alerts, muted by the fleet alert, and has sent the two incidents.
    let managed: ManagedAlert[] = [];
    await waitFor(() => {
      void fetch(`${alertmanager.url}/api/v2/alerts`).then((r) => r.json() as Promise<ManagedAlert[]>).then((found) => (managed = found), () => undefined);
      return managed.filter((a) => a.labels.alertname === 'CronJobFailed' && a.status.state === 'suppressed' && a.status.inhibitedBy.length === 1).length === 2;
    }, 15_000);
    await waitFor(() => webhook.requests.length >= 2, 15_000);
    // Nothing more within the window any other notification would come in: a per-host group that was not
    // muted flushes group_wait (2s) after its alerts arrived, no later than the fleet alert's own flush
    // (they came first, or with it), and a change to a group already notified goes out group_interval (1s)
    // after its notification: 2 s past both notifications, with the alerts re-sent every 100 ms.
    await new Promise((done) => setTimeout(done, 2000));
    const bodies = webhook.requests.map((request) => JSON.parse(request.body) as WebhookBody);
    expect(bodies.map((body) => body.groupLabels).sort((a, b) => a.alertname!.localeCompare(b.alertname!))).toEqual([
      { alertname: 'CronFleetJobFailing', cron_job: 'nightly', fleet_group: 'web' },
      { alertname: 'CronFleetSingletonOverrun', cron_job: 'rotate', fleet_group: 'ops' },
    ]);
    const fleet = bodies.find((body) => body.groupLabels.alertname === 'CronFleetJobFailing')!;
    expect(fleet.status).toBe('firing');
    expect(fleet.alerts.map((alert) => alert.annotations.summary)).toEqual(['cron job nightly failed or missed its run on 2 of 3 hosts of fleet group web: host1, host2']);
  });
});
