import { copyFileSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronwrap, sandbox, tempDir, waitFor } from '../helpers/cronwrap.js';
import { has, startPrometheus, startPushgateway, type PrometheusAlert } from '../helpers/daemons.js';

// These need Debian's prometheus and prometheus-pushgateway; .ci/run installs both. Outside CI a
// machine without them skips (and vitest says so); under CI a missing one fails.
const withPrometheus = (has('prometheus') && has('prometheus-pushgateway')) || process.env.CI ? describe : describe.skip;

const EXAMPLES = resolve(__dirname, '../../examples/prometheus');

/** `text` with `from` replaced by `to`, which must be there: the test fails when the example changes under it. */
function swap(text: string, from: string, to: string): string {
  expect(text, `the example holds ${from}`).toContain(from);
  return text.replace(from, to);
}

withPrometheus('the shipped Prometheus config and rules, with a real Prometheus scraping a real Pushgateway', () => {
  it('an alert for a failed run names the host that ran it, with honor_labels (shipped) and with a default scrape', async () => {
    const gateway = await startPushgateway();
    const box = sandbox();
    expect((await cronwrap(['--name', 'pushfail', '--metrics-push', gateway.url, '-c', 'exit 2'], box)).exitCode).toBe(2);

    // The shipped prometheus.yml, made quick and pointed at this gateway, plus the same Pushgateway job as a
    // default scrape (no honor_labels) under another name; the shipped rules beside it.
    const dir = tempDir();
    for (const rules of ['cronwrap-alerts.yml', 'cronwrap-fleet.yml']) copyFileSync(join(EXAMPLES, rules), join(dir, rules));
    let config = readFileSync(join(EXAMPLES, 'prometheus.yml'), 'utf8');
    config = swap(config, 'scrape_interval: 30s', 'scrape_interval: 500ms');
    config = swap(config, 'evaluation_interval: 30s', 'evaluation_interval: 500ms');
    config = swap(config, "targets: ['db1:9100']", 'targets: []');
    config = swap(config, "targets: ['pushgateway:9091']", `targets: ['${new URL(gateway.url).host}']`);
    const shippedJob = config.slice(config.indexOf('  - job_name: pushgateway\n'));
    const defaultJob = swap(swap(shippedJob, 'job_name: pushgateway', 'job_name: pushgateway-default'), '    honor_labels: true\n', '');
    const prometheus = await startPrometheus(dir, `${config}\n${defaultJob}`);

    let alerts: PrometheusAlert[] = [];
    const failed = (job: string) => alerts.find((a) => a.labels.alertname === 'CronJobFailed' && a.labels.job === job);
    const poll = setInterval(() => void prometheus.alerts().then((found) => (alerts = found), () => undefined), 200);
    try {
      await waitFor(() => failed('pushfail') !== undefined && failed('pushgateway-default') !== undefined, 30_000);
    } finally {
      clearInterval(poll);
    }
    const host = hostname();
    // honor_labels: the pushed labels stand, `instance` is the host.
    expect(failed('pushfail')!.labels).toMatchObject({ cron_job: 'pushfail', instance: host });
    // A default scrape: `instance` is the gateway's address, the host only `exported_instance`.
    expect(failed('pushgateway-default')!.labels).toMatchObject({ cron_job: 'pushfail', instance: new URL(gateway.url).host, exported_instance: host });
    for (const job of ['pushfail', 'pushgateway-default']) {
      expect(failed(job)!.annotations.summary).toBe(`cron job pushfail on ${host} failed`);
    }
  });
});
