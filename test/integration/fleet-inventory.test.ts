import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, cronwrap, sandbox, tempDir, waitFor, type Sandbox } from '../helpers/cronwrap.js';
import { writeTree, type Tree } from '../helpers/cron-tree.js';
import { has, startNodeExporter, startPrometheus } from '../helpers/daemons.js';

// Issue 26, item 1: `cronwrap jobs --metrics` on three "hosts" (three cron trees under --root, three
// textfile directories, three real node_exporters), one real Prometheus scraping them as host-a/b/c, and
// PromQL that finds every job of the fleet. Needs Debian's prometheus and prometheus-node-exporter (.ci/run
// installs them): off CI a machine without them skips, under CI a missing one fails.
const withPrometheus = (has('prometheus') && has('prometheus-node-exporter')) || process.env.CI ? describe : describe.skip;

const BRETT = '* * * * * root /usr/local/bin/brett.sh restart app\n';

const HOSTS: Record<string, Tree> = {
  'host-a': {
    '/etc/cron.d/brett': BRETT,
    '/etc/cron.d/backup': '30 2 * * * root /usr/bin/cronwrap --name backup --timeout 2h -- /usr/local/bin/backup.sh\n',
    // cron passes over the whole file for its one bad line: the good line never runs either.
    '/etc/cron.d/broken': '61 * * * * root /usr/local/bin/never\n15 3 * * * root /usr/local/bin/also-never\n',
    '/etc/anacrontab': 'SHELL=/bin/sh\n1\t5\tcron.daily\trun-parts --report /etc/cron.daily\n',
    '/etc/cron.daily/rotate-reports*': '#!/bin/sh\nexit 0\n',
    // A timer no .wants/ link enables: it never fires.
    '/etc/systemd/system/report.timer': '[Timer]\nOnCalendar=daily\n[Install]\nWantedBy=timers.target\n',
    '/etc/systemd/system/report.service': '[Service]\nExecStart=/usr/local/bin/report --all\n',
  },
  'host-b': {
    // The same line twice: one series, counted 2 (node_exporter refuses a file with two samples of one series).
    '/etc/cron.d/brett': `${BRETT}${BRETT}`,
    '/etc/crontab': 'SHELL=/bin/sh\n*/15 * * * * root /usr/bin/cronwrap --name sync -- /usr/local/bin/sync-orders\n',
  },
  'host-c': {
    '/etc/cron.d/brett': BRETT,
    '/var/spool/cron/crontabs/root': '0 */6 * * * /usr/local/bin/cleanup --old\n',
  },
};

/** The sandbox's binary with the metrics directory and tree given, as the package's schedule runs it. */
const inventoryOf = (box: Sandbox, root: string, metricsDir: string, env: Record<string, string> = {}) => cronwrap(['jobs', '--metrics', '--root', root, '--metrics-dir', metricsDir], box, { env });

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

withPrometheus('the fleet inventory: jobs --metrics on three hosts, scraped by a real Prometheus (needs prometheus, prometheus-node-exporter)', () => {
  it('one query finds the unwrapped brett.sh on all three hosts; the intervals, lines cron never runs and timers that never fire are there too', async () => {
    const box = sandbox();
    const targets: string[] = [];
    for (const [host, tree] of Object.entries(HOSTS)) {
      const textfiles = join(box.dir, host, 'textfile');
      const written = await inventoryOf(box, writeTree(join(box.dir, host, 'root'), tree), textfiles);
      // Silent when written: the package runs it every 5 minutes, and cron would mail any word.
      expect([written.exitCode, written.stdout.toString(), written.stderr.toString()]).toEqual([0, '', '']);
      expect(readdirSync(textfiles)).toEqual(['cronwrap-inventory.prom']);
      const exporter = await startNodeExporter(textfiles);
      targets.push(`{ targets: ['${exporter.address}'], labels: { instance: ${host} } }`);
    }
    const dir = tempDir();
    const config = ['global:', '  scrape_interval: 500ms', 'scrape_configs:', '  - job_name: node', '    static_configs:', ...targets.map((target) => `      - ${target}`), ''].join('\n');
    const prometheus = await startPrometheus(dir, config);
    const query = async (promql: string): Promise<Sample[]> => {
      const answer = (await (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`)).json()) as { status: string; data: { result: Sample[] } };
      expect(answer.status, promql).toBe('success');
      return answer.data.result;
    };
    /** `by` label → value, of every sample the query returns. */
    const values = async (promql: string, by = 'instance') => Object.fromEntries((await query(promql)).map((sample) => [sample.metric[by] ?? '', Number(sample.value[1])]));
    let scraped = 0;
    await waitFor(() => {
      void query('count(cronwrap_inventory_timestamp_seconds)').then((result) => (scraped = Number(result[0]?.value[1] ?? 0)), () => undefined);
      return scraped === 3;
    }, 30_000);

    // The brett.sh nobody wraps, on every host, by one query; and which hosts.
    expect(await values('count by (cron_job) (cronwrap_job_info{wrapped="false",cron_job="brett.sh"})', 'cron_job')).toEqual({ 'brett.sh': 3 });
    const brett = await query('cronwrap_job_info{wrapped="false",cron_job="brett.sh"}');
    expect(brett.map((sample) => sample.metric.instance).sort()).toEqual(['host-a', 'host-b', 'host-c']);
    expect(brett.find((sample) => sample.metric.instance === 'host-a')!.metric).toMatchObject({ user: 'root', schedule: '* * * * *', source: 'cron.d', kind: 'local' });
    expect(await values('cronwrap_job_info{cron_job="brett.sh"}')).toEqual({ 'host-a': 1, 'host-b': 2, 'host-c': 1 });
    expect(await values('cronwrap_job_interval_seconds{cron_job="brett.sh"}')).toEqual({ 'host-a': 60, 'host-b': 60, 'host-c': 60 });

    // Every kind of place, with the name cronwrap gives each job (or would give it).
    const hostA = (await query('cronwrap_job_info{instance="host-a"}')).map(({ metric }) => `${metric.cron_job} ${metric.source} ${metric.kind} ${metric.wrapped} ${metric.schedule}`);
    expect(hostA.sort()).toEqual(['backup cron.d local true 30 2 * * *', 'brett.sh cron.d local false * * * * *', 'rotate-reports run-parts local false @daily', 'run-parts anacrontab run-parts false @daily']);
    expect(await values('cronwrap_job_interval_seconds{cron_job=~"backup|sync|cleanup|rotate-reports"}', 'cron_job')).toEqual({ backup: 86400, sync: 900, cleanup: 21600, 'rotate-reports': 86400 });
    expect(await values('cronwrap_job_info{cron_job="cleanup"}', 'source')).toEqual({ user: 1 });
    expect(await values('cronwrap_job_info{wrapped="true"}', 'cron_job')).toEqual({ backup: 1, sync: 1 });

    // What never runs, counted per host: host-a's rejected line and the line of that file cron ignores, its timer.
    expect(await values('cronwrap_crontab_problem_lines{problem="rejected"}')).toEqual({ 'host-a': 1, 'host-b': 0, 'host-c': 0 });
    expect(await values('cronwrap_crontab_problem_lines{problem="ignored"}')).toEqual({ 'host-a': 1, 'host-b': 0, 'host-c': 0 });
    expect(await values('cronwrap_never_firing_timers')).toEqual({ 'host-a': 1, 'host-b': 0, 'host-c': 0 });
    expect(await query('cronwrap_job_info{cron_job=~"never|also-never|report"}')).toEqual([]);
  }, 60_000);
});

describe('jobs --metrics refuses what it must, and writes what it can', () => {
  it('a metrics directory every user may write is refused, said, and nothing is written', async () => {
    const box = sandbox();
    const root = writeTree(join(box.dir, 'root'), HOSTS['host-a']!);
    const textfiles = join(box.dir, 'textfile');
    mkdirSync(textfiles);
    chmodSync(textfiles, 0o777);
    const refused = await inventoryOf(box, root, textfiles);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr.toString()).toBe(`cronwrap: jobs --metrics: nothing written to ${textfiles}: not safe: ${textfiles} is writable by every user (and has no sticky bit)\n`);
    expect(readdirSync(textfiles)).toEqual([]);
  });

  it('with no metrics directory configured: a usage error naming metrics_dir and --metrics-dir; with --if-configured (the package\'s schedule) nothing at all', async () => {
    const box = sandbox();
    const root = writeTree(join(box.dir, 'root'), HOSTS['host-c']!);
    const typed = await cronwrap(['jobs', '--metrics', '--root', root], box);
    expect(typed.exitCode).toBe(125);
    expect(typed.stderr.toString()).toBe(`cronwrap: jobs --metrics: no metrics directory to write cronwrap-inventory.prom into: set metrics_dir in the config file (${box.env.CRONWRAP_CONFIG}), or give --metrics-dir DIR (or CRONWRAP_METRICS_DIR)\n`);
    const scheduled = await cronwrap(['jobs', '--metrics', '--if-configured', '--root', root], box);
    expect([scheduled.exitCode, scheduled.stdout.toString(), scheduled.stderr.toString()]).toEqual([0, '', '']);
    // Configured by the environment, as by the config file: written.
    const textfiles = join(box.dir, 'textfile');
    const configured = await cronwrap(['jobs', '--metrics', '--if-configured', '--root', root], box, { env: { CRONWRAP_METRICS_DIR: textfiles } });
    expect(configured.exitCode).toBe(0);
    expect(existsSync(join(textfiles, 'cronwrap-inventory.prom'))).toBe(true);
    // And by the config file's metrics_dir, as runs read it.
    const fromConfig = join(box.dir, 'textfile-from-config');
    writeFileSync(box.env.CRONWRAP_CONFIG!, `metrics_dir = "${fromConfig}"\n`);
    const byConfig = await cronwrap(['jobs', '--metrics', '--root', root], box);
    expect([byConfig.exitCode, byConfig.stderr.toString()]).toEqual([0, '']);
    expect(readdirSync(fromConfig)).toEqual(['cronwrap-inventory.prom']);
    // What the list shows is chosen by flags --metrics has no use for: said, not ignored.
    const mixed = await cronwrap(['jobs', '--metrics', '--unwrapped'], box, { env: { CRONWRAP_METRICS_DIR: textfiles } });
    expect([mixed.exitCode, mixed.stderr.toString()]).toEqual([125, 'cronwrap: jobs: --metrics writes the whole inventory, every job; --unwrapped is for the list\n']);
  });

  it("the package's own round (examples/cron.d/cronwrap, behind its guards) is cronwrap's, no job: check calls nothing MISSED, the inventory names it cronwrap", async () => {
    const box = sandbox();
    const round = readFileSync(join(__dirname, '../../examples/cron.d/cronwrap'), 'utf8');
    const root = writeTree(join(box.dir, 'root'), { '/etc/cron.d/cronwrap': round });
    // A day after the line's last start: a job of its own would be MISSED (and was, as `_`).
    const checked = await execa('faketime', ['-f', '+1d', BIN, 'check', '--root', root, '--json'], { env: box.env, reject: false });
    expect([checked.exitCode, JSON.parse(checked.stdout), checked.stderr]).toEqual([0, [], '']);
    const textfiles = join(box.dir, 'textfile');
    expect((await inventoryOf(box, root, textfiles)).exitCode).toBe(0);
    const info = readFileSync(join(textfiles, 'cronwrap-inventory.prom'), 'utf8').split('\n').filter((line) => line.startsWith('cronwrap_job_info{'));
    expect(info).toEqual(['cronwrap_job_info{cron_job="cronwrap",user="root",schedule="*/5 * * * *",source="cron.d",kind="local",wrapped="true"} 1']);
  });

  it("what any user writes in their crontab is bounded: schedule labels cut to 64 characters, 100 label sets per user, the rest counted in one series", async () => {
    const box = sandbox();
    // crontab(1) takes lines of any length from any user: 250 schedules, distinct in their first characters,
    // each with a 4 KB hour list; and 50 more that differ only past the cut (one label set once cut).
    const hostile = [
      ...Array.from({ length: 250 }, (_, i) => `${i % 60} ${Math.floor(i / 60)},${'0,'.repeat(2000)}0 * * * /bin/true\n`),
      ...Array.from({ length: 50 }, (_, i) => `${'0,'.repeat(2000)}${i} 3 * * * /bin/true\n`),
    ].join('');
    const root = writeTree(join(box.dir, 'root'), { '/var/spool/cron/crontabs/mallory': hostile, '/etc/cron.d/brett': BRETT });
    const textfiles = join(box.dir, 'textfile');
    const written = await inventoryOf(box, root, textfiles);
    expect([written.exitCode, written.stderr.toString()]).toEqual([0, '']);
    const text = readFileSync(join(textfiles, 'cronwrap-inventory.prom'), 'utf8');
    const mallory = text.split('\n').filter((line) => line.startsWith('cronwrap_job_info{') && line.includes('user="mallory"'));
    expect(mallory).toHaveLength(100);
    for (const line of mallory) expect(Array.from(/schedule="([^"]*)"/.exec(line)![1]!)).toHaveLength(64);
    expect(mallory[0]).toContain(`schedule="0 0,${'0,'.repeat(29)}0…"`);
    expect(text).toMatch(/^cronwrap_inventory_capped_entries\{user="mallory"\} 200$/m);
    expect(text).toMatch(/^cronwrap_job_info\{cron_job="brett\.sh",user="root",schedule="\* \* \* \* \*",source="cron\.d",kind="local",wrapped="false"\} 1$/m);
    expect(text.length).toBeLessThan(100_000);
  });

  it('a refused --name in a file cron ignores is one line that never runs: counted once, as ignored', async () => {
    const box = sandbox();
    // cron ignores a cron.d file with a dot in its name: its line never reaches cronwrap's --name check.
    const root = writeTree(join(box.dir, 'root'), { '/etc/cron.d/my.jobs': '* * * * * root /usr/bin/cronwrap --name ../escape -- /bin/true\n' });
    const textfiles = join(box.dir, 'textfile');
    expect((await inventoryOf(box, root, textfiles)).exitCode).toBe(0);
    const problems = readFileSync(join(textfiles, 'cronwrap-inventory.prom'), 'utf8').split('\n').filter((line) => line.startsWith('cronwrap_crontab_problem_lines{'));
    expect(problems).toEqual(['cronwrap_crontab_problem_lines{problem="rejected"} 0', 'cronwrap_crontab_problem_lines{problem="ignored"} 1', 'cronwrap_crontab_problem_lines{problem="refused_name"} 0']);
    const listed = JSON.parse((await cronwrap(['jobs', '--json', '--root', root], box)).stdout.toString()) as { problems: string[] };
    expect(listed.problems).toHaveLength(1);
  });

  it("an anacron job with a period in days is a job like the others, with its interval; a period anacron refuses is a rejected line", async () => {
    const box = sandbox();
    const root = writeTree(join(box.dir, 'root'), { '/etc/anacrontab': 'SHELL=/bin/sh\n3 0 my.job /usr/local/bin/anajob.sh\n@fortnightly 5 x /usr/local/bin/x\n' });
    const textfiles = join(box.dir, 'textfile');
    expect((await inventoryOf(box, root, textfiles)).exitCode).toBe(0);
    const text = readFileSync(join(textfiles, 'cronwrap-inventory.prom'), 'utf8');
    const labels = 'cron_job="anajob.sh",user="root",schedule="3",source="anacrontab",kind="local",wrapped="false"';
    expect(text).toContain(`\ncronwrap_job_info{${labels}} 1\n`);
    expect(text).toContain(`\ncronwrap_job_interval_seconds{${labels}} 259200\n`);
    expect(text).toMatch(/^cronwrap_crontab_problem_lines\{problem="rejected"\} 1$/m);
    const listed = await cronwrap(['jobs', '--all', '--json', '--root', root], box);
    const found = JSON.parse(listed.stdout.toString()) as { jobs: { source: string; words: string; interval_seconds: number | null }[]; problems: string[] };
    expect(found.jobs.find((job) => job.source === '/etc/anacrontab:2')).toMatchObject({ words: 'every 3 days, when anacron runs (after 0 min)', interval_seconds: 259_200 });
    expect(found.problems).toEqual(["/etc/anacrontab:3: anacron rejects this line: period '@fortnightly' is not a number of days or @daily, @weekly, @monthly"]);
  });

  it('a part of the tree this user may not read is said and left out; the rest is written', async () => {
    const box = sandbox();
    chmodSync(box.dir, 0o755);
    const root = writeTree(join(box.dir, 'root'), { ...HOSTS['host-c']!, '/etc/crontab': '0 4 * * * root /usr/local/bin/nightly\n' });
    chmodSync(join(root, 'var', 'spool', 'cron', 'crontabs'), 0o700);
    const textfiles = join(box.dir, 'textfile');
    mkdirSync(textfiles, { mode: 0o755 });
    // As root, the inventory is taken as nobody (permissions mean nothing to root), from the single-file build
    // copied beside: nobody may not be able to enter the checkout. Its metrics directory is its own.
    const binary = join(box.dir, 'cronwrap');
    copyFileSync(join(BIN, '..', '..', 'dist', 'cronwrap-standalone.cjs'), binary);
    chmodSync(binary, 0o755);
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownSync(textfiles, 65534, 65534);
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', CRONWRAP_CONFIG: '/dev/null', CRONWRAP_STATE_DIR: join(box.dir, 'nobody-state'), HOME: box.dir };
    const run = await execa(process.execPath, [binary, 'jobs', '--metrics', '--root', root, '--metrics-dir', textfiles], { ...(asRoot ? { uid: 65534, gid: 65534 } : {}), env, extendEnv: false, reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    if (asRoot) expect(run.stderr).toBe('cronwrap: jobs --metrics: not counted, cannot read /var/spool/cron/crontabs: EACCES');
    const text = readFileSync(join(textfiles, 'cronwrap-inventory.prom'), 'utf8');
    expect(text).toMatch(/^cronwrap_job_info\{cron_job="nightly",user="root",schedule="0 4 \* \* \*",source="crontab",kind="local",wrapped="false"\} 1$/m);
    expect(text).toMatch(/^cronwrap_job_info\{cron_job="brett\.sh",/m);
    if (asRoot) expect(text).not.toContain('cleanup');
  });
});
