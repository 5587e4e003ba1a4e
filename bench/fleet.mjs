// A simulated fleet scraped by a real Prometheus (Debian's): BENCH_FLEET_HOSTS hosts (200) × BENCH_FLEET_JOBS jobs
// (20), each host a target of its own (a path of one small HTTP server here) serving what node_exporter's textfile
// collector would: every job's per-job file (the series a real run writes, from a real run's file, with the fleet
// labels and cronwrap_schedule_interval_seconds of the fleet contract on the jobs of a fleet group) and the host's
// inventory (cronwrap jobs --metrics, per the contract). Prometheus loads the shipped rules
// (examples/prometheus/*.yml) and scrapes every BENCH_FLEET_SCRAPE seconds (15); the bench reads, with none, half
// and all of the hosts: series per job and per host, head series, Prometheus' memory, rule evaluation time, and
// the latency of each dashboard query (examples/grafana/*.json, median of several); then, where Debian's
// victoria-metrics is installed, the same fleet scraped by a single-node VictoriaMetrics with the same queries.
// Part of `npm run bench`; alone: `npm run build && node bench/fleet.mjs`. Prints figures; asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

const HOSTS = Number(process.env.BENCH_FLEET_HOSTS ?? 200);
const JOBS = Number(process.env.BENCH_FLEET_JOBS ?? 20);
const SCRAPE = Number(process.env.BENCH_FLEET_SCRAPE ?? 15);
const SCRAPES = 3; // scrapes of every target before the reading at all hosts (2 at half)
const QUERY_RUNS = 7;
const root = resolve(import.meta.dirname, '..');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Each host's jobs: a mix of schedules, a quarter of them in fleet groups (all, and a singleton). */
const SCHEDULES = [['* * * * *', 60], ['*/5 * * * *', 300], ['*/5 * * * *', 300], ['0 * * * *', 3600], ['0 * * * *', 3600], ['0 * * * *', 3600], ['0 * * * *', 3600], ['0 3 * * 0', 604_800], ['0 3 * * 0', 604_800]];
function jobsOf(host) {
  return Array.from({ length: JOBS }, (_, j) => {
    const [schedule, interval] = SCHEDULES[j] ?? [`${j} 2 * * *`, 86_400];
    const fleet = j % 4 === 0 ? { fleet_group: `group-${j}`, fleet_expect: j % 8 === 0 ? 'all' : 'one' } : undefined;
    return { name: `job-${String(j).padStart(2, '0')}`, schedule, interval, fleet, failed: (host * 31 + j) % 50 === 0 };
  });
}

const labelText = (labels) => `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`;

/** The per-job file a real run writes (HELP, TYPE, series), to be given each simulated job's labels and values. */
function perJobTemplate(work) {
  const dir = join(work, 'template');
  const env = { ...process.env, CRONWRAP_STATE_DIR: join(work, 'template-state'), CRONWRAP_CONFIG: '/dev/null' };
  const run = spawnSync(join(root, 'bin', 'cronwrap'), ['--name', 'template', '--metrics-dir', dir, '--schedule', '*/5 * * * *', '--log', '/dev/null', '--', 'true'], { env });
  if (run.status !== 0) throw new Error(`cronwrap for the metrics template: ${run.stderr}`);
  return readFileSync(join(dir, 'cronwrap_template.prom'), 'utf8').split('\n').filter(Boolean);
}

/** What node_exporter's textfile collector would serve for `host` at `now` (seconds): families merged across files, as it does. */
function textfileOutput(template, host, now) {
  const families = new Map();
  const add = (name, sample, meta = [`# TYPE ${name} gauge`]) => {
    if (!families.has(name)) families.set(name, { meta, samples: [] });
    families.get(name).samples.push(sample);
  };
  const metaOf = (name) => template.filter((line) => line.startsWith(`# HELP ${name} `) || line.startsWith(`# TYPE ${name} `));
  const files = [];
  for (const job of jobsOf(host)) {
    const labels = labelText({ cron_job: job.name, ...job.fleet });
    const lastStart = now - (now % job.interval);
    const values = {
      cronwrap_last_start_timestamp_seconds: lastStart,
      cronwrap_last_end_timestamp_seconds: lastStart + 2,
      cronwrap_last_success_timestamp_seconds: job.failed ? lastStart - job.interval : lastStart + 2,
      cronwrap_last_exit_code: job.failed ? 1 : 0,
      cronwrap_last_run_failed: job.failed ? 1 : 0,
      cronwrap_last_duration_seconds: 2,
      cronwrap_runs_total: Math.floor(now / job.interval) % 100_000,
      cronwrap_failures_total: job.failed ? 1 : 0,
      cronwrap_next_run_deadline_timestamp_seconds: lastStart + job.interval + 60,
    };
    for (const line of template.filter((l) => !l.startsWith('#'))) {
      const [, name, rest, value] = /^(\w+)\{cron_job="template"(.*?\}) (\S+)$/.exec(line);
      add(name, `${name}${labels.slice(0, -1)}${rest} ${values[name] ?? value}`, metaOf(name));
    }
    add('cronwrap_schedule_interval_seconds', `cronwrap_schedule_interval_seconds${labels} ${job.interval}`);
    files.push(`cronwrap_${job.name}.prom`);
  }
  for (const job of jobsOf(host)) {
    const labels = labelText({ cron_job: job.name, user: 'root', schedule: job.schedule, source: 'cron.d', kind: 'local', wrapped: 'true' });
    add('cronwrap_job_info', `cronwrap_job_info${labels} 1`);
    add('cronwrap_job_interval_seconds', `cronwrap_job_interval_seconds${labels} ${job.interval}`);
  }
  for (const problem of ['rejected', 'ignored', 'refused_name']) add('cronwrap_crontab_problem_lines', `cronwrap_crontab_problem_lines{problem="${problem}"} 0`);
  add('cronwrap_never_firing_timers', 'cronwrap_never_firing_timers 0');
  add('cronwrap_inventory_timestamp_seconds', `cronwrap_inventory_timestamp_seconds ${now - (now % 300)}`);
  files.push('cronwrap-inventory.prom');
  // The textfile collector's own series: one mtime per file and its error flag.
  for (const file of files) add('node_textfile_mtime_seconds', `node_textfile_mtime_seconds{file="/var/lib/prometheus/node-exporter/${file}"} ${now - (now % 60)}`);
  add('node_textfile_scrape_error', 'node_textfile_scrape_error 0');
  return `${[...families.values()].flatMap((f) => [...f.meta, ...f.samples]).join('\n')}\n`;
}

function listen(server) {
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server.address().port)));
}

async function freePort() {
  const server = createServer();
  const port = await listen(server);
  await new Promise((done) => server.close(done));
  return port;
}

/** Prometheus' own figures from its /metrics: name{labels} → value. */
async function selfMetrics(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return new Map(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]));
}

async function query(url, expr) {
  const body = await (await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`)).json();
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}
const scalar = async (url, expr) => Number((await query(url, expr))[0]?.value[1] ?? NaN);

function scrapeConfig(port, hosts, ruleFiles) {
  const targets = Array.from({ length: hosts }, (_, h) => {
    const host = `host-${String(h).padStart(3, '0')}`;
    return `      - targets: ['127.0.0.1:${port}']\n        labels: {instance: ${host}, __metrics_path__: /${host}/metrics}`;
  });
  return `global:\n  scrape_interval: ${SCRAPE}s\n  evaluation_interval: ${SCRAPE}s\nrule_files: ${JSON.stringify(ruleFiles)}\nscrape_configs:\n  - job_name: node\n${hosts ? `    static_configs:\n${targets.join('\n')}\n` : ''}`;
}

/** CPU time (user + system) the process `pid` has used, in ms (Linux: clock ticks of 10 ms). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Waits until every one of `hosts` targets has been scraped `scrapes` times since now; `tick()` each second meanwhile. */
async function scraped(url, hosts, scrapes, tick = async () => undefined) {
  const start = Date.now() / 1000;
  while (true) {
    await sleep(1000);
    if (Date.now() / 1000 > start + (scrapes + 4) * SCRAPE) throw new Error(`${url}: ${hosts} targets not scraped ${scrapes} times`);
    await tick();
    const targets = (await (await fetch(`${url}/api/v1/targets?state=active`)).json()).data.activeTargets;
    const fresh = targets.filter((t) => t.health === 'up' && Date.parse(t.lastScrape) / 1000 > start + (scrapes - 1) * SCRAPE);
    if (fresh.length === hosts) return;
  }
}

/** Measures a simulated fleet in `work`. */
export async function benchFleet(work = mkdtempSync(join(tmpdir(), 'cronwrap-fleet-bench-'))) {
  const template = perJobTemplate(work);
  const server = createServer((request, response) => {
    const host = /^\/host-(\d+)\/metrics$/.exec(request.url ?? '');
    if (!host) return response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(textfileOutput(template, Number(host[1]), Math.floor(Date.now() / 1000)));
  });
  const port = await listen(server);

  // The shipped rules, as they are on this branch (the promtool unit-test files are not rule files).
  const dir = join(work, 'prometheus');
  mkdirSync(dir, { recursive: true });
  const ruleFiles = readdirSync(join(root, 'examples', 'prometheus')).filter((f) => f.endsWith('.yml') && f !== 'prometheus.yml' && !f.endsWith('.test.yml'));
  for (const file of ruleFiles) copyFileSync(join(root, 'examples', 'prometheus', file), join(dir, file));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, scrapeConfig(port, 0, ruleFiles));
  const promPort = await freePort();
  const url = `http://127.0.0.1:${promPort}`;
  let rowsOnPrometheus = new Map();
  const prometheus = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--web.enable-lifecycle'], { stdio: 'ignore' });
  try {
    await ready(prometheus, `${url}/-/ready`);
    console.log(`\nfleet: ${HOSTS} hosts × ${JOBS} jobs, scraped every ${SCRAPE}s by Prometheus (${(({ stdout, stderr }) => (stdout || stderr).split('\n')[0])(spawnSync('prometheus', ['--version'], { encoding: 'utf8' }))}), rules: ${ruleFiles.join(', ')}`);
    await sleep(SCRAPE * 1000); // a rule evaluation with no target: the baseline
    const readings = [];
    const read = async (hosts) => {
      const self = await selfMetrics(url);
      readings.push({ hosts, head: self.get('prometheus_tsdb_head_series'), rss: self.get('process_resident_memory_bytes'), heap: self.get('go_memstats_heap_inuse_bytes'), self });
    };
    await read(0);
    // Each rule group's evaluations at all hosts (by their time), and Prometheus' CPU over that phase.
    const evaluations = new Map();
    const noteEvaluations = async () => {
      const self = await selfMetrics(url);
      for (const [key, seconds] of self) {
        const group = /^prometheus_rule_group_last_duration_seconds\{rule_group="(.*)"\}$/.exec(key)?.[1];
        const at = self.get(`prometheus_rule_group_last_evaluation_timestamp_seconds{rule_group="${group}"}`);
        const samples = self.get(`prometheus_rule_group_last_evaluation_samples{rule_group="${group}"}`);
        if (group) evaluations.set(`${group} ${at}`, { group, seconds, samples });
      }
    };
    let busy = 0;
    for (const hosts of [HOSTS / 2, HOSTS]) {
      writeFileSync(config, scrapeConfig(port, hosts, ruleFiles));
      await fetch(`${url}/-/reload`, { method: 'POST' });
      const [cpu, wall] = [cpuMs(prometheus.pid), performance.now()];
      await scraped(url, hosts, hosts === HOSTS ? SCRAPES : 2, hosts === HOSTS ? noteEvaluations : undefined);
      busy = (cpuMs(prometheus.pid) - cpu) / (performance.now() - wall); // CPU ms per ms: scrapes, rules, the bench's reads
      await read(hosts);
    }

    // Series: from what Prometheus holds, at HOSTS hosts.
    const perJob = await scalar(url, 'count({__name__=~"cronwrap_.+", __name__!~"cronwrap_job_info|cronwrap_job_interval_seconds", cron_job!=""}) / count(cronwrap_last_run_failed)');
    const inventory = await scalar(url, `count({__name__=~"cronwrap_job_info|cronwrap_job_interval_seconds|cronwrap_crontab_problem_lines|cronwrap_never_firing_timers|cronwrap_inventory_timestamp_seconds"}) / ${HOSTS}`);
    const textfile = await scalar(url, `count({__name__=~"node_textfile_.+"}) / ${HOSTS}`);
    const perHost = await scalar(url, `count({job="node", __name__!~"ALERTS.*"}) / ${HOSTS}`);
    const scrapeMs = await scalar(url, 'avg(scrape_duration_seconds{job="node"}) * 1000');
    console.log('\nseries (at %d hosts)                                   count', HOSTS);
    console.log(`per job (its per-job file, contract's fleet labels)  ${perJob.toFixed(1).padStart(8)}`);
    console.log(`inventory per host (${JOBS} entries)                  ${inventory.toFixed(1).padStart(8)}`);
    console.log(`textfile collector's own, per host                 ${textfile.toFixed(1).padStart(8)}`);
    console.log(`per host, all (with up and scrape_* series)        ${perHost.toFixed(1).padStart(8)}`);
    console.log(`scrape of one host: ${scrapeMs.toFixed(1)} ms on average`);

    console.log('\nhosts   head series   RSS        Go heap in use');
    for (const r of readings) console.log(`${String(r.hosts).padStart(5)} ${String(r.head).padStart(13)}   ${mb(r.rss).padEnd(10)} ${mb(r.heap)}`);
    const [empty, , full] = readings;
    const added = full.head - empty.head;
    console.log(`per added head series: ${((full.rss - empty.rss) / added).toFixed(0)} bytes of RSS, ${((full.heap - empty.heap) / added).toFixed(0)} bytes of Go heap (${added} series over ${HOSTS} hosts)`);

    console.log(`Prometheus' CPU at ${HOSTS} hosts (scrapes, rules): ${(busy * 100).toFixed(1)}% of a core`);

    console.log(`\nrule group: evaluations at ${HOSTS} hosts          min ms  median ms   samples`);
    for (const group of new Set([...evaluations.values()].map((e) => e.group))) {
      const all = [...evaluations.values()].filter((e) => e.group === group);
      const most = Math.max(...all.map((e) => e.samples));
      const whole = all.filter((e) => e.samples === most).map((e) => e.seconds * 1000); // not one half-way through a reload
      const [file, name] = group.split(';');
      console.log(`${`${basename(file)}: ${name} (${whole.length})`.padEnd(44)} ${Math.min(...whole).toFixed(1).padStart(9)} ${median(whole).toFixed(1).padStart(10)} ${String(most).padStart(9)}`);
    }

    console.log(`\nload average (1 min) on this ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()}-core machine: ${loadavg()[0].toFixed(1)}; queries compete with it`);
    rowsOnPrometheus = await timeDashboards(url, prometheus.pid, busy);
  } finally {
    await stop(prometheus);
    rmSync(dir, { recursive: true, force: true });
  }
  try {
    if (has('victoria-metrics')) await benchVictoriaMetrics(work, port, rowsOnPrometheus);
    else console.log('\nVictoriaMetrics: victoria-metrics NOT INSTALLED (apt-get install victoria-metrics), so no figures for it');
  } finally {
    server.close();
  }
}

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/** Waits until `daemon` answers `health`; fails if it exits first. */
async function ready(daemon, health) {
  while (!(await fetch(health).then((r) => r.ok, () => false))) {
    if (daemon.exitCode !== null) throw new Error(`${daemon.spawnfile} exited with ${daemon.exitCode}`);
    await sleep(200);
  }
}

async function stop(daemon) {
  daemon.kill('SIGTERM');
  await new Promise((done) => (daemon.exitCode !== null ? done() : daemon.once('exit', done)));
}

/**
 * Every dashboard query, with Grafana's variables as "All" sends them, as an instant query: wall time (median and
 * fastest of QUERY_RUNS) and the server's CPU (process `pid`, less its background rate `busy`). Returns each
 * query's row count by name.
 */
async function timeDashboards(url, pid, busy, expectedRows) {
  const rowsByName = new Map();
  console.log(`\ndashboard query (instant, ${QUERY_RUNS} runs)                      median ms  min ms  CPU ms   rows`);
  for (const file of readdirSync(join(root, 'examples', 'grafana')).filter((f) => f.endsWith('.json'))) {
    const dashboard = JSON.parse(readFileSync(join(root, 'examples', 'grafana', file), 'utf8'));
    let total = 0;
    let totalCpu = 0;
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const expr = target.expr.replaceAll('$instance', '.*').replaceAll('$cron_job', '.*');
        const times = [];
        let rows = 0;
        const [cpu, wall] = [cpuMs(pid), performance.now()];
        for (let i = 0; i < QUERY_RUNS; i++) {
          const start = performance.now();
          rows = (await query(url, expr)).length;
          times.push(performance.now() - start);
        }
        // The server's CPU for one run: what it used meanwhile, less its background rate (scrapes, rules).
        const cpuEach = Math.max(0, cpuMs(pid) - cpu - busy * (performance.now() - wall)) / QUERY_RUNS;
        const name = `${dashboard.title.replace(/^cronwrap: /, '')}: ${panel.title}${panel.targets.length > 1 ? ` ${target.refId}` : ''}`;
        const differs = expectedRows && expectedRows.get(name) !== rows ? `  (Prometheus: ${expectedRows.get(name)})` : '';
        console.log(`${name.slice(0, 58).padEnd(60)} ${median(times).toFixed(1).padStart(9)} ${Math.min(...times).toFixed(1).padStart(7)} ${cpuEach.toFixed(0).padStart(7)} ${String(rows).padStart(6)}${differs}`);
        rowsByName.set(name, rows);
        total += Math.min(...times);
        totalCpu += cpuEach;
      }
    }
    console.log(`${`${dashboard.title}: every query, one after another`.padEnd(60)} ${''.padStart(9)} ${total.toFixed(1).padStart(7)} ${totalCpu.toFixed(0).padStart(7)}`);
  }
  return rowsByName;
}

/** The same fleet scraped by a single-node VictoriaMetrics (Debian's victoria-metrics): series, memory, the same queries. */
async function benchVictoriaMetrics(work, port, rowsOnPrometheus) {
  const dir = join(work, 'victoria-metrics');
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'scrape.yml');
  writeFileSync(config, scrapeConfig(port, HOSTS, []).replace(/^(rule_files|  evaluation_interval):.*\n/gm, ''));
  const vmPort = await freePort();
  const url = `http://127.0.0.1:${vmPort}`;
  const args = [`-storageDataPath=${join(dir, 'data')}`, `-httpListenAddr=127.0.0.1:${vmPort}`, `-promscrape.config=${config}`, '-retentionPeriod=1d', '-loggerLevel=ERROR', '-search.latencyOffset=0s', '-search.disableCache'];
  const vm = spawn('victoria-metrics', args, { stdio: 'ignore' });
  try {
    await ready(vm, `${url}/health`);
    // Debian's build prints no version of its own: the package's.
    const version = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'victoria-metrics'], { encoding: 'utf8' }).stdout || 'version unknown';
    console.log(`\nthe same ${HOSTS} hosts scraped every ${SCRAPE}s by VictoriaMetrics, single node (${version})`);
    const empty = (await selfMetrics(url)).get('process_resident_memory_bytes');
    const [cpu, wall] = [cpuMs(vm.pid), performance.now()];
    await scraped(url, HOSTS, 2);
    const busy = (cpuMs(vm.pid) - cpu) / (performance.now() - wall);
    await sleep(2000); // its search sees new series a moment after they are written
    const series = await scalar(url, 'count({__name__=~".+"})');
    const full = (await selfMetrics(url)).get('process_resident_memory_bytes');
    console.log(`series: ${series}; RSS ${mb(empty)} at start, ${mb(full)} with the fleet: ${((full - empty) / series).toFixed(0)} bytes per series; CPU for scrapes: ${(busy * 100).toFixed(1)}% of a core`);
    console.log(`load average (1 min): ${loadavg()[0].toFixed(1)}`);
    await timeDashboards(url, vm.pid, busy, rowsOnPrometheus);
  } finally {
    await stop(vm);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const work = mkdtempSync(join(tmpdir(), 'cronwrap-fleet-bench-'));
  try {
    await benchFleet(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
